// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package azure parses what an Azure confidential VM's paravisor (the HCL)
// hands out for attestation: the HCL report, which carries the hardware report
// (an SEV-SNP attestation report or a TDX TD report) and the runtime data the
// hardware report binds (a JSON document naming the vTPM's attestation key
// HCLAkPub and endorsement key HCLEkPub as JWKs, the VM configuration and the
// user data), and the vTPM's quote: TPMS_ATTEST, its signature and the PCR
// values it covers.
//
// This package parses only. It proves nothing: that the hardware report binds
// the runtime data, that the attestation key signed the quote and that the PCR
// values hash to the quote's digest are checked by certs/azure; that the
// hardware report is genuine, by certs/amd or certs/intel.
//
// Layouts, as the Azure vTPM tooling (kinvolk/azure-cvm-tooling, az-cvm-vtpm
// src/hcl) and Trustee's verifiers read them. The HCL report, little-endian:
//
//	0x000  4     signature "HCLA"
//	0x004  4     version
//	0x008  4     report_size
//	0x00C  4     request_type
//	0x010  4     status
//	0x014  12    reserved
//	0x020  1184  hardware report: SNP report (1184 bytes) or TD report (1024 bytes, then zeros)
//	0x4C0  4     IGVM request data: data_size
//	0x4C4  4     version
//	0x4C8  4     report_type (2 SNP, 4 TDX)
//	0x4CC  4     report_data_hash_type (1 SHA-256, 2 SHA-384, 3 SHA-512)
//	0x4D0  4     variable_data_size
//	0x4D4  ...   variable data: the runtime data JSON, exactly the bytes the hardware report binds
//
// The vTPM quote is the TPM 2.0 TPMS_ATTEST structure (big-endian, TPM 2.0
// Library Part 2 §10.12.12), parsed here with a cursor so that every
// malformation has a name and no byte goes unread; github.com/google/go-tpm's
// tpm2 package supplies the algorithm identifiers and decodes TPMT_SIGNATURE,
// and the tests and fuzz targets check this parser against its TPMS_ATTEST
// decoder.
//
// Every parser bounds its work by its input: sizes are checked before every
// slice, lists are capped ([MaxPCRSelections], [MaxRuntimeDataKeys]), and no
// input panics.
package azure
