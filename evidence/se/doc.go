// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package se parses and builds the structures of IBM Secure Execution (SE)
// attestation: the attestation request control block (ARCB, version 1) a
// verifier builds for the Ultravisor, the Ultravisor's answer (measurement,
// additional data, user data, configuration UID) in pvattest's exchange
// format and in Trustee's SE evidence JSON, and the SE header of a secure
// guest image, whose tags the measurement covers.
//
// SE attestation is symmetric: IBM signs nothing over the evidence. The
// verifier makes a fresh measurement key and nonce, encrypts them under a
// fresh AES-256-GCM key (the ARPK) and wraps the ARPK for each trusted IBM Z
// host with ECDH P-521 against the host key of its host key document (HKD).
// Only that host's Ultravisor can open the request; it answers with
// HMAC-SHA512 under the measurement key. A match proves the answer genuine;
// the [Secret] must stay with the verifier.
//
// This package trusts nothing: certs/ibm proves host key documents and
// verify judges answers. All integers are big-endian; "MSB0 bit n" is
// 1 << (63-n).
//
// Layouts follow s390-tools (rust/pv, rust/pvattest) and the Linux uAPI
// (arch/s390/include/uapi/asm/uvdevice.h).
package se
