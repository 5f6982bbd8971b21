// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package intel proves Intel TDX evidence genuine: it walks the PCK certificate
// chain carried in a quote to the pinned Intel SGX Root CA, checks the quote's
// signature chain (attestation key, QE report, PCK), and evaluates Intel PCS
// collateral (TCB Info, QE Identity, CRLs) into a TCB status.
//
// No root is ever taken from the input: the Intel SGX Root CA is embedded and
// pinned by its public key. Every check takes its time from the options, so an
// offline audit of old evidence reproduces exactly.
package intel
