// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/google/go-sev-guest/abi"
	sevsnp "github.com/google/go-sev-guest/proto/sevsnp"
)

// ParseSNP runs go-sev-guest's report parser on b; a panic is returned as
// [ErrOraclePanic]. go-sev-guest also rejects reports whose MBZ or reserved
// bits are set, which ccverify parses and leaves to snp.Report.CheckReserved.
func ParseSNP(b []byte) (rep *sevsnp.Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, fmt.Errorf("%w: %v", ErrOraclePanic, p)
		}
	}()
	return abi.ReportToProto(b)
}

// CompareSNP returns an error listing the fields on which r and go-sev-guest's
// parse of the same bytes disagree, or nil.
func CompareSNP(r snp.Report, w *sevsnp.Report) error {
	var out []string
	u := func(name string, ours, theirs uint64) {
		if ours != theirs {
			out = append(out, fmt.Sprintf("%s: ours %#x, go-sev-guest %#x", name, ours, theirs))
		}
	}
	by := func(name string, ours, theirs []byte) {
		if !bytes.Equal(ours, theirs) {
			out = append(out, fmt.Sprintf("%s: ours %x, go-sev-guest %x", name, ours, theirs))
		}
	}
	u("version", uint64(r.Version()), uint64(w.Version))
	u("guest_svn", uint64(r.GuestSVN()), uint64(w.GuestSvn))
	u("policy", uint64(r.Policy()), w.Policy)
	by("family_id", r.FamilyID(), w.FamilyId)
	by("image_id", r.ImageID(), w.ImageId)
	u("vmpl", uint64(r.VMPL()), uint64(w.Vmpl))
	u("signature_algo", uint64(r.SignatureAlgo()), uint64(w.SignatureAlgo))
	u("current_tcb", uint64(r.CurrentTCB()), w.CurrentTcb)
	u("platform_info", uint64(r.PlatformInfo()), w.PlatformInfo)
	u("signer_info", uint64(r.SignerInfo()), uint64(w.SignerInfo))
	by("report_data", r.ReportData(), w.ReportData)
	by("measurement", r.Measurement(), w.Measurement)
	by("host_data", r.HostData(), w.HostData)
	by("id_key_digest", r.IDKeyDigest(), w.IdKeyDigest)
	by("author_key_digest", r.AuthorKeyDigest(), w.AuthorKeyDigest)
	by("report_id", r.ReportID(), w.ReportId)
	by("report_id_ma", r.ReportIDMA(), w.ReportIdMa)
	u("reported_tcb", uint64(r.ReportedTCB()), w.ReportedTcb)
	by("chip_id", r.ChipID(), w.ChipId)
	u("committed_tcb", uint64(r.CommittedTCB()), w.CommittedTcb)
	cv, mv := r.CurrentVersion(), r.CommittedVersion()
	u("current_version", uint64(cv.Major)<<16|uint64(cv.Minor)<<8|uint64(cv.Build), uint64(w.CurrentMajor)<<16|uint64(w.CurrentMinor)<<8|uint64(w.CurrentBuild))
	u("committed_version", uint64(mv.Major)<<16|uint64(mv.Minor)<<8|uint64(mv.Build), uint64(w.CommittedMajor)<<16|uint64(w.CommittedMinor)<<8|uint64(w.CommittedBuild))
	u("launch_tcb", uint64(r.LaunchTCB()), w.LaunchTcb)
	by("signature", r.Signature(), w.Signature)
	if r.HasCPUID() {
		u("cpuid1eax_fms", uint64(abi.FmsToCpuid1Eax(r.CPUIDFamily(), r.CPUIDModel(), r.CPUIDStepping())), uint64(w.Cpuid1EaxFms))
	}
	if r.HasMitigationVectors() {
		u("launch_mit_vector", r.LaunchMitVector(), w.LaunchMitVector)
		u("current_mit_vector", r.CurrentMitVector(), w.CurrentMitVector)
	}
	if si, err := abi.ParseSignerInfo(w.SignerInfo); err == nil {
		keys := map[abi.ReportSigner]snp.SigningKey{abi.VcekReportSigner: snp.SignedByVCEK, abi.VlekReportSigner: snp.SignedByVLEK, abi.NoneReportSigner: snp.SignedByNone}
		if k, ok := keys[si.SigningKey]; ok && k != r.SigningKey() {
			out = append(out, fmt.Sprintf("signing key: ours %v, go-sev-guest %v", r.SigningKey(), si.SigningKey))
		}
		if si.MaskChipKey != r.MaskChipKey() || si.AuthorKeyEn != r.AuthorKeyEn() {
			out = append(out, "signer info flags differ")
		}
	}
	if len(out) == 0 {
		return nil
	}
	return fmt.Errorf("oracle: %s", strings.Join(out, "; "))
}
