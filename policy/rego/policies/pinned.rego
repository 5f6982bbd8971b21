# Copyright 2026 The ccverify Authors
# SPDX-License-Identifier: Apache-2.0

# An appraisal policy that pins the software: the TD's MRTD and RTMRs 1
# and 2, or the SNP guest's launch MEASUREMENT, must be among the reference
# values (query_reference_value), and the guest must not be debuggable.
#
# With no reference values for an id, the policy makes no claim on the
# executables (0) instead of calling them unrecognized (33): a missing
# reference is a deployment gap, a mismatch is a finding.
package policy

import rego.v1

default executables := 33

default hardware := 97

default configuration := 36

trust_claims := {
	"executables": executables,
	"hardware": hardware,
	"configuration": configuration,
}

# A value is approved when it is one of the reference values of id.
approved(value, id) if value in query_reference_value(id)

# No reference values at all for any of ids.
unpinned(ids) if {
	every id in ids {
		query_reference_value(id) == null
	}
}

tdx_ids := ["mr_td", "rtmr_1", "rtmr_2"]

# Approved executables (2): the firmware, kernel and command line are the
# approved ones.
executables := 2 if {
	approved(input.tdx.quote.body.mr_td, "mr_td")
	approved(input.tdx.quote.body.rtmr_1, "rtmr_1")
	approved(input.tdx.quote.body.rtmr_2, "rtmr_2")
} else := 0 if {
	input.tdx
	unpinned(tdx_ids)
}

executables := 2 if {
	approved(input.snp.measurement, "snp_launch_measurement")
} else := 0 if {
	input.snp
	unpinned(["snp_launch_measurement"])
}

hardware := 2 if {
	input.tdx.tcb_status == "UpToDate"
	input.tdx.collateral_expiration_status == "0"
}

hardware := 2 if {
	approved(input.snp.reported_tcb_snp, "snp_snp_svn")
	approved(input.snp.reported_tcb_microcode, "snp_microcode")
}

# An approved configuration (2): not a debug TD, and an approved XFAM.
configuration := 2 if {
	input.tdx.td_attributes.debug == false
	approved(input.tdx.quote.body.xfam, "xfam")
}

configuration := 2 if {
	input.snp.policy_debug_allowed == false
	input.snp.policy_migrate_ma == false
}

# The reference values the decision rested on, for the relying party.
extensions := [{
	"name": "ear.ccverify.pinned",
	"key": -70001,
	"value": {"tdx": tdx_ids, "snp": ["snp_launch_measurement"]},
}]
