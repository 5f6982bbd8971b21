// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"errors"
	"os"
	"testing"
)

// TestOtherVendorsCRL: an AMD ARK's CRL is not Intel collateral: Add says so
// with ErrNotCollateral, and a directory holding it loads (found by the
// generated vectors, whose SNP collateral directories hold ARK CRLs).
func TestOtherVendorsCRL(t *testing.T) {
	const dir = "../../testvectors/data/amd/milan/crl/good"
	der, err := os.ReadFile(dir + "/ark.crl")
	if err != nil {
		t.Skip(err)
	}
	if err := new(Collateral).Add(der); !errors.Is(err, ErrNotCollateral) || !errors.Is(err, ErrCollateralFormat) {
		t.Errorf("Add(AMD CRL) = %v, want ErrNotCollateral", err)
	}
	if _, err := LoadCollateral(dir); err != nil {
		t.Errorf("LoadCollateral(directory of AMD CRLs) = %v", err)
	}
}
