# Copyright 2026 The ccverify Authors
# SPDX-License-Identifier: Apache-2.0

# ccverify's default appraisal policy for a CPU TEE, in Trustee's form.
#
# It decides what Trustee's attestation service decides with its built-in
# CPU policy (the "default_cpu" policy): the same rules, trust-claim values,
# reference-value ids and input paths, so that a verdict from ccverify and
# one from Trustee agree on the same evidence and reference values. The
# rules are grouped here by trust claim rather than by platform.
#
# The input is Trustee's annotated evidence: one object under the TEE's name
# ("tdx", "snp", "az-snp-vtpm", "az-tdx-vtpm", "tpm", "se", "sample"), plus
# report_data, init_data and their claims. Reference values come only from
# query_reference_value(id), which returns what is stored under id (a list,
# for the ids tested with "in"; a single value for those tested with "==")
# or null.
#
# Values are AR4SI's (draft-ietf-rats-ar4si): 33, 97 and 36 when nothing
# better is shown; 2, 3 or 4 when the evidence meets the references.
package policy

import rego.v1

# Until a platform rule below proves otherwise: executables not recognized
# (33), hardware not recognized although it should be (97), configuration
# not available to the verifier (36), and no assertion on the rest (0).
default executables := 33

default hardware := 97

default configuration := 36

default file_system := 0

default instance_identity := 0

default runtime_opaque := 0

default storage_opaque := 0

default sourced_data := 0

# The trust vector, by AR4SI claim name.
trust_claims := {
	"executables": executables,
	"hardware": hardware,
	"configuration": configuration,
	"file-system": file_system,
	"instance-identity": instance_identity,
	"runtime-opaque": runtime_opaque,
	"storage-opaque": storage_opaque,
	"sourced-data": sourced_data,
}

# ---------------------------------------------------------------------------
# executables: 3 when only approved executables were loaded at boot.
# Each rule first tests that its platform is present, so that no other
# platform's reference values are asked for.

# The sample TEE (for tests): its launch digest is an approved one.
executables := 3 if {
	input.sample
	input.sample.launch_digest in query_reference_value("launch_digest")
}

# SEV-SNP: the launch MEASUREMENT is an approved one.
executables := 3 if {
	input.snp
	input.snp.measurement in query_reference_value("snp_launch_measurement")
}

# TDX: RTMR1 and RTMR2 (kernel, initrd, command line) are approved, and the
# event log shows the approved kernel and kernel parameters loaded by TDVF.
# With approved RTMRs but no such events (a GRUB boot, as on GKE): 4.
executables := 3 if {
	input.tdx
	input.tdx.quote.body.rtmr_1 in query_reference_value("rtmr_1")
	input.tdx.quote.body.rtmr_2 in query_reference_value("rtmr_2")
	tdx_uefi_event_tdvfkernel_ok
	tdx_uefi_event_tdvfkernelparams_ok
} else := 4 if {
	input.tdx
	input.tdx.quote.body.rtmr_1 in query_reference_value("rtmr_1")
	input.tdx.quote.body.rtmr_2 in query_reference_value("rtmr_2")
}

# Azure SEV-SNP vTPM: the MEASUREMENT and the vTPM's PCR 11 are approved.
executables := 3 if {
	input["az-snp-vtpm"]
	input["az-snp-vtpm"].measurement in query_reference_value("measurement")
	input["az-snp-vtpm"].tpm.pcr11 in query_reference_value("snp_pcr11")
}

# Azure TDX vTPM: the vTPM's PCR 11 is approved.
executables := 3 if {
	input["az-tdx-vtpm"]
	input["az-tdx-vtpm"].tpm.pcr11 in query_reference_value("tdx_pcr11")
}

# A TPM: PCR 11 is approved and the attestation key is a trusted one.
executables := 3 if {
	input.tpm
	input.tpm.pcr11 in query_reference_value("tpm_pcr11")
	input.tpm.ak_public in query_reference_value("trusted_aks")
}

# IBM Secure Execution: the SE verifier has already checked the
# measurement; the claims exist only when it succeeded.
executables := 3 if {
	input.se
}

# A boot-services application that the event log shows loaded from the
# kernel file, with the approved digest.
tdx_uefi_event_tdvfkernel_ok if {
	some ev in input.tdx.uefi_event_logs
	ev.type_name == "EV_EFI_BOOT_SERVICES_APPLICATION"
	"File(kernel)" in ev.details.device_paths
	some d in ev.digests
	d.digest == query_reference_value("tdvfkernel")
}

# The kernel's load options, as TDVF tags them, with the approved digest.
tdx_uefi_event_tdvfkernelparams_ok if {
	some ev in input.tdx.uefi_event_logs
	ev.type_name == "EV_EVENT_TAG"
	ev.details.string == "LOADED_IMAGE::LoadOptions"
	some d in ev.digests
	d.digest == query_reference_value("tdvfkernelparams")
}

# ---------------------------------------------------------------------------
# hardware: 2 when the hardware and firmware were shown genuine and
# supported.

# The sample TEE: an approved SVN and a platform version of the approved
# major and at least the minimum minor.
hardware := 2 if {
	input.sample
	input.sample.svn in query_reference_value("svn")
	input.sample.platform_version.major == query_reference_value("major_version")
	input.sample.platform_version.minor >= query_reference_value("minimum_minor_version")
}

# SEV-SNP: each part of the REPORTED_TCB (boot loader, microcode, SNP and
# TEE firmware) is an approved one.
hardware := 2 if {
	input.snp
	input.snp.reported_tcb_bootloader in query_reference_value("snp_bootloader")
	input.snp.reported_tcb_microcode in query_reference_value("snp_microcode")
	input.snp.reported_tcb_snp in query_reference_value("snp_snp_svn")
	input.snp.reported_tcb_tee in query_reference_value("snp_tee_svn")
}

# TDX: a TDX quote (TEE type 0x81) from Intel's quoting enclave, an approved
# MRTD (the TD firmware), a TCB Intel rates UpToDate and collateral that has
# not expired. (The TDX module's MRSEAM, reference id "mr_seam", is not
# required.)
hardware := 2 if {
	input.tdx
	input.tdx.quote.header.tee_type == "81000000"
	input.tdx.quote.header.vendor_id == "939a7233f79c4ca9940a0db3957f0607"
	input.tdx.quote.body.mr_td in query_reference_value("mr_td")
	input.tdx.tcb_status == "UpToDate"
	input.tdx.collateral_expiration_status == "0"
}

# Azure SEV-SNP vTPM: the REPORTED_TCB parts are approved ones.
hardware := 2 if {
	input["az-snp-vtpm"]
	input["az-snp-vtpm"].reported_tcb_bootloader in query_reference_value("tcb_bootloader")
	input["az-snp-vtpm"].reported_tcb_microcode in query_reference_value("tcb_microcode")
	input["az-snp-vtpm"].reported_tcb_snp in query_reference_value("tcb_snp")
	input["az-snp-vtpm"].reported_tcb_tee in query_reference_value("tcb_tee")
}

# Azure TDX vTPM: as for TDX, without the collateral expiration test.
hardware := 2 if {
	input["az-tdx-vtpm"]
	input["az-tdx-vtpm"].quote.header.tee_type == "81000000"
	input["az-tdx-vtpm"].quote.header.vendor_id == "939a7233f79c4ca9940a0db3957f0607"
	input["az-tdx-vtpm"].quote.body.mr_td in query_reference_value("mr_td")
	input["az-tdx-vtpm"].tcb_status == "UpToDate"
}

# A TPM, and IBM Secure Execution: present means verified.
hardware := 2 if {
	input.tpm
}

hardware := 2 if {
	input.se
}

# ---------------------------------------------------------------------------
# configuration: 2 when the configuration is a known, approved one; 3 when
# it has no known vulnerability.

# The sample TEE: not in debug mode.
configuration := 2 if {
	input.sample
	input.sample.debug == false
}

# SEV-SNP: no debugging, no migration agent, and the platform and guest
# policy settings equal to the approved ones (2); only the first two (3).
configuration := 2 if {
	input.snp
	input.snp.policy_debug_allowed == false
	input.snp.policy_migrate_ma == false
	input.snp.platform_smt_enabled == query_reference_value("snp_smt_enabled")
	input.snp.platform_tsme_enabled == query_reference_value("snp_tsme_enabled")
	input.snp.policy_abi_major == query_reference_value("snp_guest_abi_major")
	input.snp.policy_abi_minor == query_reference_value("snp_guest_abi_minor")
	input.snp.policy_single_socket == query_reference_value("snp_single_socket")
	input.snp.policy_smt_allowed == query_reference_value("snp_smt_allowed")
} else := 3 if {
	input.snp
	input.snp.policy_debug_allowed == false
	input.snp.policy_migrate_ma == false
}

# TDX: not a debug TD, and an approved XFAM.
configuration := 2 if {
	input.tdx
	input.tdx.td_attributes.debug == false
	input.tdx.quote.body.xfam in query_reference_value("xfam")
}

# Azure SEV-SNP vTPM: each platform and guest policy setting is an approved
# one.
configuration := 2 if {
	input["az-snp-vtpm"]
	input["az-snp-vtpm"].platform_smt_enabled in query_reference_value("smt_enabled")
	input["az-snp-vtpm"].platform_tsme_enabled in query_reference_value("tsme_enabled")
	input["az-snp-vtpm"].policy_abi_major in query_reference_value("abi_major")
	input["az-snp-vtpm"].policy_abi_minor in query_reference_value("abi_minor")
	input["az-snp-vtpm"].policy_single_socket in query_reference_value("single_socket")
	input["az-snp-vtpm"].policy_smt_allowed in query_reference_value("smt_allowed")
}

# Azure TDX vTPM: an approved XFAM.
configuration := 2 if {
	input["az-tdx-vtpm"]
	input["az-tdx-vtpm"].quote.body.xfam in query_reference_value("xfam")
}

# A TPM says nothing of the configuration.
configuration := 0 if {
	input.tpm
}

# IBM Secure Execution: verified by the SE verifier.
configuration := 2 if {
	input.se
}

# ---------------------------------------------------------------------------
# Extensions: EAR claims added to the appraisal. "ear.trustee.identifiers"
# (key -18) carries what identifies the workload and is bound to the
# evidence: the container images and user ids of the Kata agent policy in
# the init data, each only when there is one.
extensions := [{
	"name": "ear.trustee.identifiers",
	"key": -18,
	"value": {"validated": validated_identifiers},
}]

validated_identifiers := object.union_n([container_images_id, container_uids_id])

containers := input.init_data_claims.agent_policy_claims.containers

container_images := [c.OCI.Annotations["io.kubernetes.cri.image-name"] | some c in containers]

container_uids := [c.OCI.Process.User.UID | some c in containers]

container_images_id := {"container_images": container_images} if {
	count(container_images) > 0
} else := {}

container_uids_id := {"container_uids": container_uids} if {
	count(container_uids) > 0
} else := {}
