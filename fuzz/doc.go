// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package fuzz holds ccverify's cross-package fuzz targets: differential
// fuzzing of the parsers against the anchor libraries (go-tdx-guest,
// go-sev-guest) and fuzzing of the verify entry point. Parser-local targets
// live next to their parsers. Run them all with .ci/fuzz.
package fuzz
