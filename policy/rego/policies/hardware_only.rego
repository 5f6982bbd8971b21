# Copyright 2026 The ccverify Authors
# SPDX-License-Identifier: Apache-2.0

# An appraisal policy without reference values: it vouches for the platform
# and for a guest that is not being debugged, and says nothing about the
# software, which it has nothing to compare with.
#
# Use it where the TEE's genuineness is all that matters (a test fleet, a
# first rollout before reference values exist). executables stays 0, "no
# claim", so that a relying party sees that the software was not appraised.
package policy

import rego.v1

default executables := 0

default hardware := 97

default configuration := 36

default runtime_opaque := 0

trust_claims := {
	"executables": executables,
	"hardware": hardware,
	"configuration": configuration,
	"runtime-opaque": runtime_opaque,
}

# TDX: Intel rates the platform's TCB UpToDate on collateral that has not
# expired.
hardware := 2 if {
	input.tdx.quote.header.tee_type == "81000000"
	input.tdx.tcb_status == "UpToDate"
	input.tdx.collateral_expiration_status == "0"
}

# SEV-SNP: AMD publishes no TCB status, so the minimum firmware is this
# policy's own: boot loader, TEE, SNP and microcode SVNs of at least these.
min_snp_tcb := {"bootloader": 3, "tee": 0, "snp": 8, "microcode": 115}

hardware := 2 if {
	input.snp
	every part, least in min_snp_tcb {
		input.snp[concat("", ["reported_tcb_", part])] >= least
	}
}

# Not a debug guest: no known configuration vulnerability (3), and its
# memory is encrypted from the host (runtime-opaque 2).
configuration := 3 if not_debug

runtime_opaque := 2 if not_debug

not_debug if input.tdx.td_attributes.debug == false

not_debug if {
	input.snp.policy_debug_allowed == false
	input.snp.policy_migrate_ma == false
}
