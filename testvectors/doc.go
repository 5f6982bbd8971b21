// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package testvectors generates complete, signed evidence and collateral under
// test roots shaped like the vendors' — an Intel SGX root with PCK Platform and
// Processor CAs, PCK certificates with SGX extensions, a TCB Signing chain,
// TCB Info v3 and QE Identity v2 JSON and CRLs; AMD ARK → ASK/ASVK →
// VCEK/VLEK with KDS extensions for Milan, Genoa and Turin — so that the cases
// real data cannot reach are covered: revoked and expired certificates and
// collateral, every TCB status, TD relaunch advice on TD 1.5 quotes, debug TDs
// and guests, VLEKs, Turin.
//
// The generated files live in data/ with one manifest (manifest.json) that
// states, per case, the evidence, the collateral, the time, the roots and the
// expected outcome: EAR status, the sentinel errors a failure must wrap, the
// TCB status and key claims. Regenerate them with
//
//	go run ./testvectors/cmd/tvgen
//
// # Determinism
//
// The generator is a pure function of its seed ([DefaultSeed]), so that a test
// can regenerate everything and compare it byte for byte with the committed
// files. Go 1.26 ignores the reader passed to ecdsa.GenerateKey, rsa.GenerateKey
// and to signing (unless GODEBUG=cryptocustomrand=1), so nothing here takes
// randomness from a reader:
//   - keys: every value comes from [Seed], SHA-256 in counter mode over an
//     HKDF-extracted key and a label. ECDSA scalars are reduced into [1, N-1]
//     and loaded with ecdsa.ParseRawPrivateKey; RSA primes are the first
//     probable primes above seeded odd numbers (math/big's primality test is
//     deterministic), the key assembled and validated by hand.
//   - ECDSA signatures (certificates, CRLs, TCB Info, QE reports, quotes, SNP
//     reports) use RFC 6979 nonces: ecdsa.PrivateKey.Sign with a nil reader.
//   - RSA-PSS signatures (AMD's chain) take their salt from a reader derived
//     from the seed and the digest: rsa.SignPSS reads the salt from any reader
//     other than crypto/rand's.
//   - x509.CreateCertificate and CreateRevocationList use their reader only to
//     sign (serials are always given), through [Seed.Signer].
//
// Test keys are RSA-2048 where AMD uses RSA-4096, to keep regeneration fast;
// nothing in the verifiers depends on the modulus size.
package testvectors
