// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/eventlog"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
)

const zero48 = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

// publishedRTMRs are the CCELs of ../shared/vectors/eventlog with published
// RTMR0–3: Trustee's deps/eventlog/src/lib.rs test_rtmr_integrity.
var publishedRTMRs = []struct {
	path  string
	rtmrs [4]string
}{
	{"eventlog/trustee/deps/eventlog/test_data/CCEL_data", [4]string{
		"2dc712306a963eadb894ad47dbaa17df44814151555aee11cbb843becca88950ffd079664902e6f22c66f7c8213543f4",
		"0fa3be56af61208bbd179dc7b124988eb929319154663c539d6f46445ecac2fec287075047ff7bd1922829fec28cd3cf", zero48, zero48}},
	{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_ovmf", [4]string{
		"8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193",
		"775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6",
		"94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a", zero48}},
	{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_grub", [4]string{
		"cec0a104f691f60da2387fea3c2de00c4ac035e2bb479ff02edcce69039d9e9907f0b3e55031da3dc7038f423adebd79",
		"6c289e0c62182d41ebe97bdbc9872d10998a08eaa86adcdc684001a363207ee72942c7522cdf00a4bbc3d784bed7b670",
		"08919d017ba0e52cd6d966351c7de16fe76c1d3d3d3da4554239e4c7d16cb8b82a94e7eaea3a0e6e18eb690b999fd31e", zero48}},
	{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_gcp", [4]string{
		"3300980705adf09d28b707b79699d9874892164280832be2c386a715b6e204e0897fb564a064f810659207ba862b304f",
		"204d49f78d29918fe7b2f694e76653861a0c2a018987d2c3a54266eff737232524cf0af68c4d180e2f8c2c0937f21967", zero48, zero48}},
	{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_grub_gke", [4]string{
		"bc9945139042cf2cc75caf920aa57f14884ecfd7e893bccc51250c8ce90eb53ce72741e6adaa18183eb1331a87d4544a",
		"c17cb288a4dee302bb9ed8d27257a168f3264ad68cab53757f37eeaa7039657fa887cad65cf910e0fdc435ff110f8a7b",
		"334aeba2c985f8886cea97d1ecffbd512769d528b9a94009583db667ad7d2faa7d37fa145d75b192ceee2d2f10b2eb6d", zero48}},
	// byte-identical copies in Trustee's verifier test data
	{"eventlog/trustee/deps/verifier/test_data/CCEL_data", [4]string{
		"2dc712306a963eadb894ad47dbaa17df44814151555aee11cbb843becca88950ffd079664902e6f22c66f7c8213543f4",
		"0fa3be56af61208bbd179dc7b124988eb929319154663c539d6f46445ecac2fec287075047ff7bd1922829fec28cd3cf", zero48, zero48}},
	{"eventlog/trustee/deps/verifier/test_data/CCEL_data_ovmf", [4]string{
		"8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193",
		"775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6",
		"94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a", zero48}},
}

func unhex4(t testing.TB, s [4]string) [4][]byte {
	var out [4][]byte
	for i, h := range s {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

func parse(t testing.TB, b []byte) *eventlog.Log {
	t.Helper()
	l, err := eventlog.Parse(b, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return l
}

func TestReplayPublishedRTMRs(t *testing.T) {
	for _, c := range publishedRTMRs {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(c.path)))+"/"+filepath.Base(c.path), func(t *testing.T) {
			l := parse(t, vectors.Read(t, c.path))
			if err := l.CheckRTMRs(unhex4(t, c.rtmrs)); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// TestReplayGoEventlogCos113 replays the vectors' copy of go-eventlog's
// cos-113 CCEL (byte-identical to go-tdx-guest's) to the RTMR0–2 its
// replay_test publishes, which are the cos-113 quote's.
func TestReplayGoEventlogCos113(t *testing.T) {
	l := parse(t, vectors.Read(t, "eventlog/go-eventlog/testdata/eventlogs/ccel/cos-113-intel-tdx.bin"))
	_, _, quote := goTDXGuestCCEL(t)
	if err := l.CheckRTMRs(quoteRTMRs(t, quote)); err != nil {
		t.Fatal(err)
	}
}

// goTDXGuestCCEL reads go-tdx-guest's cos-113 CCEL, its ACPI table and TD
// quote from the module's testing/testdata/ccel (not embedded by its
// testdata package: read from the module cache, where go.mod's version
// is), or skips.
func goTDXGuestCCEL(t testing.TB) (log, table, quote []byte) {
	t.Helper()
	log, table, quote = goTDXGuestCCELSeed()
	if log == nil {
		t.Skip("go-tdx-guest's testing/testdata/ccel not found in the module cache")
	}
	return log, table, quote
}

// goTDXGuestCCELSeed reads the files, or returns nils.
func goTDXGuestCCELSeed() (log, table, quote []byte) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/go-tdx-guest").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return nil, nil, nil
	}
	var files [3][]byte
	for i, name := range []string{"ccel_data.dat", "ccel_table.dat", "cos-113-tdx-quote.dat"} {
		b, err := os.ReadFile(filepath.Join(dir, "testing", "testdata", "ccel", name))
		if err != nil {
			return nil, nil, nil
		}
		files[i] = b
	}
	return files[0], files[1], files[2]
}

func quoteRTMRs(t testing.TB, raw []byte) [4][]byte {
	t.Helper()
	q, err := tdx.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out [4][]byte
	for i := range out {
		out[i] = q.Body().RTMR(i)
	}
	return out
}

func TestReplayGoTDXGuestCos113(t *testing.T) {
	raw, table, quote := goTDXGuestCCEL(t)
	l := parse(t, raw)
	tb, err := eventlog.ParseTable(table)
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.CheckLog(l, len(raw)); err != nil {
		t.Fatal(err)
	}
	want := quoteRTMRs(t, quote)
	if err := l.CheckRTMRs(want); err != nil {
		t.Fatal(err)
	}
	got, _ := l.RTMRs()
	if hex.EncodeToString(got[0])[:8] != "3fa2f61f" || hex.EncodeToString(got[1])[:8] != "f62dbc07" || hex.EncodeToString(got[2])[:8] != "4969684d" {
		t.Errorf("RTMRs %x… %x… %x…, want go-eventlog's 3fa2f61f… f62dbc07… 4969684d…", got[0][:4], got[1][:4], got[2][:4])
	}
	b := l.Boot(eventlog.AlgSHA384)
	if b.Kernel == nil || b.Kernel.Path != "/syslinux/vmlinuz.A" || !b.HasCmdline || !strings.Contains(b.Cmdline, "init=/usr/lib/systemd/systemd") {
		t.Errorf("Boot: kernel %+v, cmdline %q", b.Kernel, b.Cmdline)
	}
	if b.SecureBoot == nil {
		t.Error("Boot: SecureBoot not read")
	}
}

// TestTamperedDigest changes one event's digest: the replay is rejected
// naming the RTMR, and the event when its digest can be recomputed from its
// data.
func TestTamperedDigest(t *testing.T) {
	raw, _, quote := goTDXGuestCCEL(t)
	want := quoteRTMRs(t, quote)
	l := parse(t, raw)
	find := func(typ eventlog.EventType, index uint32) *eventlog.Event {
		for i := range l.Events {
			if e := &l.Events[i]; e.Type == typ && e.Index == index {
				return e
			}
		}
		t.Fatalf("no %v at index %d", typ, index)
		return nil
	}
	for _, c := range []struct {
		name     string
		typ      eventlog.EventType
		index    uint32
		register string
		named    bool
	}{
		{"separator", eventlog.EvSeparator, 2, "RTMR[1]", true},
		{"efi-action", eventlog.EvEFIAction, 2, "RTMR[1]", true},
		{"secure-boot-variable", eventlog.EvEFIVariableDriverConfig, 1, "RTMR[0]", true},
		{"boot-application", eventlog.EvEFIBootServicesApplication, 2, "RTMR[1]", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := find(c.typ, c.index)
			b := bytes.Clone(raw)
			off := e.Offset + 12 + 2 // PCRIndex, EventType, count, hashAlg
			b[off] ^= 1
			tl := parse(t, b)
			err := tl.CheckRTMRs(want)
			if !errors.Is(err, eventlog.ErrReplayMismatch) {
				t.Fatalf("CheckRTMRs: %v, want ErrReplayMismatch", err)
			}
			var re *eventlog.ReplayError
			if !errors.As(err, &re) || len(re.Mismatches) != 1 || re.Mismatches[0].Register != c.register {
				t.Fatalf("CheckRTMRs: %v, want one mismatch on %s", err, c.register)
			}
			if !strings.Contains(err.Error(), c.register) {
				t.Errorf("error %q does not name %s", err, c.register)
			}
			m := re.Mismatches[0]
			if c.named {
				if m.First == nil || m.First.Seq != e.Seq {
					t.Fatalf("first event that differs: %v, want %v", m.First, e)
				}
				if !strings.Contains(err.Error(), e.String()) {
					t.Errorf("error %q does not name %v", err, e)
				}
				if _, err := tl.Validate(); !errors.Is(err, eventlog.ErrEventDigest) {
					t.Errorf("Validate: %v, want ErrEventDigest", err)
				}
			} else if m.First != nil {
				t.Errorf("first event that differs: %v, want none (an image digest cannot be recomputed)", m.First)
			}
			if errors.Is(err, eventlog.ErrIncomplete) {
				t.Errorf("a changed digest reported as a short log: %v", err)
			}
			t.Log(err)
		})
	}
}

func TestDuplicateSeparator(t *testing.T) {
	for _, name := range []string{"cos-113-intel-tdx-dupe-separator.bin", "cos-113-intel-tdx-dupe-separator-unpadded.bin"} {
		t.Run(name, func(t *testing.T) {
			l := parse(t, vectors.Read(t, "eventlog/go-eventlog/testdata/eventlogs/ccel/"+name))
			warn, err := l.Validate()
			if err != nil {
				t.Fatal(err)
			}
			if len(warn) != 1 || !errors.Is(warn[0], eventlog.ErrDuplicateSeparator) || !strings.Contains(warn[0].Error(), "event 15") {
				t.Fatalf("Validate warnings %v, want one ErrDuplicateSeparator at event 15", warn)
			}
		})
	}
	// The original log has a single separator per register.
	l := parse(t, vectors.Read(t, "eventlog/go-eventlog/testdata/eventlogs/ccel/cos-113-intel-tdx.bin"))
	if warn, err := l.Validate(); warn != nil || err != nil {
		t.Fatalf("Validate(cos-113): %v %v", warn, err)
	}
}

// TestStopsShort cuts the cos-113 log before events of RTMR2: the replay is
// ErrIncomplete (and ErrReplayMismatch) naming RTMR[2].
func TestStopsShort(t *testing.T) {
	raw, _, quote := goTDXGuestCCEL(t)
	want := quoteRTMRs(t, quote)
	full := parse(t, raw)
	var firstRTMR2, lastRTMR2 int
	for _, e := range full.Events {
		if e.Index == 3 {
			if firstRTMR2 == 0 {
				firstRTMR2 = e.Offset
			}
			lastRTMR2 = e.Offset
		}
	}
	for _, c := range []struct {
		name string
		cut  int
		pad  bool
	}{
		{"last-event-missing", lastRTMR2, false},
		{"no-rtmr2-events", firstRTMR2, false},
		{"no-rtmr2-events-padded", firstRTMR2, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := bytes.Clone(raw[:c.cut])
			if c.pad {
				b = append(b, bytes.Repeat([]byte{0xFF}, 4096)...)
			}
			l := parse(t, b)
			err := l.CheckRTMRs(want)
			if !errors.Is(err, eventlog.ErrIncomplete) || !errors.Is(err, eventlog.ErrReplayMismatch) || !strings.Contains(err.Error(), "RTMR[2]") {
				t.Fatalf("CheckRTMRs: %v, want ErrIncomplete on RTMR[2]", err)
			}
			t.Log(err)
		})
	}
}

func TestIMAFoldedIntoRTMR2(t *testing.T) {
	raw, _, quote := goTDXGuestCCEL(t)
	l := parse(t, raw)
	want := quoteRTMRs(t, quote)
	// A synthetic IMA entry: the quote's RTMR2 then is the log's extended by it.
	th := bytes.Repeat([]byte{0xAB}, 48)
	ima, err := eventlog.ParseIMA([]byte("10 " + hex.EncodeToString(th) + " ima-ng sha384:00 boot_aggregate\n"))
	if err != nil || len(ima) != 1 {
		t.Fatalf("ParseIMA: %v %d", err, len(ima))
	}
	got, err := l.RTMRs(ima...)
	if err != nil {
		t.Fatal(err)
	}
	want[2] = got[2]
	if err := l.CheckRTMRs(want, ima...); err != nil {
		t.Fatal(err)
	}
	if err := l.CheckRTMRs(want); !errors.Is(err, eventlog.ErrReplayMismatch) {
		t.Fatalf("without the IMA log: %v, want ErrReplayMismatch", err)
	}
	if _, err := eventlog.ParseIMA([]byte("10 " + strings.Repeat("ab", 20) + " ima-ng sha1:00 boot_aggregate\n")); !errors.Is(err, eventlog.ErrUnsupportedAlgorithm) {
		t.Fatalf("ParseIMA(SHA-1 template hash): %v", err)
	}
}

// realLogs lists every event log of the shared vectors (not the ACPI
// tables, JSON or quotes).
func realLogs(t testing.TB) map[string][]byte {
	d := vectors.Dir()
	out := map[string][]byte{}
	if d == "" {
		return out
	}
	filepath.Walk(filepath.Join(d, "eventlog"), func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		switch {
		case strings.HasSuffix(p, ".json"), strings.HasSuffix(p, ".md"), strings.HasSuffix(p, ".dat"), fi.Size() == eventlog.TableSize:
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil {
			rel, _ := filepath.Rel(d, p)
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	return out
}

func TestTPMLogsParse(t *testing.T) {
	vectors.Need(t)
	n := 0
	for name, b := range realLogs(t) {
		if !strings.Contains(name, "/tpm/") && !strings.Contains(name, "attest/testdata") && !strings.Contains(name, "legacydata") {
			continue
		}
		n++
		l, err := eventlog.Parse(b, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, a := range l.Banks() {
			if _, err := l.PCRs(a); err != nil {
				t.Errorf("%s: PCRs(%v): %v", name, a, err)
			}
		}
		if _, err := l.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", name, err)
		}
	}
	if n < 20 {
		t.Fatalf("%d TPM logs, want the 26 of the vectors", n)
	}
}

// TestPCRReplay replays go-attestation's Windows GCP shielded VM log into
// the PCRs its JSON records.
func TestPCRReplay(t *testing.T) {
	var dump struct {
		Log struct {
			PCRs []struct {
				Index     uint32
				Digest    []byte
				DigestAlg int
			}
			Raw []byte
		}
	}
	if err := json.Unmarshal(vectors.Read(t, "eventlog/go-attestation/attest/testdata/windows_gcp_shielded_vm.json"), &dump); err != nil {
		t.Fatal(err)
	}
	l := parse(t, dump.Log.Raw)
	var want []eventlog.PCR
	for _, p := range dump.Log.PCRs {
		if p.DigestAlg != 3 { // crypto.SHA1
			t.Fatalf("bank %d", p.DigestAlg)
		}
		want = append(want, eventlog.PCR{Index: p.Index, Alg: eventlog.AlgSHA1, Value: p.Digest})
	}
	if err := l.CheckPCRs(want); err != nil {
		t.Fatal(err)
	}
	want[0].Value = bytes.Repeat([]byte{1}, 20)
	err := l.CheckPCRs(want)
	if !errors.Is(err, eventlog.ErrReplayMismatch) || !strings.Contains(err.Error(), "PCR[") {
		t.Fatalf("changed PCR: %v", err)
	}
}

func TestSM3Unsupported(t *testing.T) {
	_, err := eventlog.Parse(vectors.Read(t, "eventlog/trustee/deps/eventlog/test_data/CCEL_data_csv"), nil)
	if !errors.Is(err, eventlog.ErrUnsupportedAlgorithm) || !strings.Contains(err.Error(), "SM3") {
		t.Fatalf("Parse(SM3 log): %v, want ErrUnsupportedAlgorithm naming SM3", err)
	}
}

func TestPaddingAndCounts(t *testing.T) {
	for _, c := range []struct {
		path        string
		events, end int
	}{
		{"eventlog/go-eventlog/testdata/eventlogs/ccel/cos-113-intel-tdx.bin", 43, 18101},
		{"eventlog/trustee/deps/eventlog/test_data/CCEL_data", 5, 9822}, // 0x00 padding
		{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_ovmf", 20, 2120},
		{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_grub", 37, 15130},
		{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_gcp", 21, 20349},
		{"eventlog/trustee/deps/eventlog/test_data/CCEL_data_grub_gke", 35, 21897},
		{"eventlog/trustee/deps/eventlog/test_data/CCEL_AAEL_alibabacloud", 87, 11707}, // 8 × 0xFF
		{"eventlog/go-eventlog/testdata/eventlogs/ccel/CCEL_unpadded.data.bin", 19, 2026},
		{"eventlog/go-eventlog/testdata/eventlogs/ccel/event_log.bin", 27, 2703},
	} {
		l := parse(t, vectors.Read(t, c.path))
		if len(l.Events) != c.events || len(l.Raw) != c.end {
			t.Errorf("%s: %d events ending at %d, want %d ending at %d", c.path, len(l.Events), len(l.Raw), c.events, c.end)
		}
	}
}

// TestTrusteeShape compares TrusteeEvents with Trustee's parsed output of the
// same logs: index, type name, digests and digest_matches_event.
func TestTrusteeShape(t *testing.T) {
	for _, name := range []string{"CCEL_data", "CCEL_data_ovmf", "CCEL_data_grub", "CCEL_data_grub_gke", "CCEL_AAEL_alibabacloud"} {
		t.Run(name, func(t *testing.T) {
			l := parse(t, vectors.Read(t, "eventlog/trustee/deps/eventlog/test_data/"+name))
			var want struct {
				Events []map[string]any `json:"uefi_event_logs"`
			}
			if err := json.Unmarshal(vectors.Read(t, "eventlog/trustee/deps/eventlog/test_data/"+name+"_out.json"), &want); err != nil {
				t.Fatal(err)
			}
			got := l.TrusteeEvents()
			if len(got) != len(want.Events) {
				t.Fatalf("%d events, Trustee %d", len(got), len(want.Events))
			}
			diffMatch := 0
			for i, g := range got {
				gm, w := g.(map[string]any), want.Events[i]
				if float64(gm["index"].(int)) != w["index"] || gm["type_name"] != w["type_name"] || gm["event"] != w["event"] {
					t.Fatalf("event %d: %v %v, Trustee %v %v", i, gm["index"], gm["type_name"], w["index"], w["type_name"])
				}
				wd := w["digests"].([]any)[0].(map[string]any)
				gd := gm["digests"].([]any)[0].(map[string]any)
				if gd["digest"] != wd["digest"] || gd["alg"] != wd["alg"] {
					t.Fatalf("event %d: digest %v, Trustee %v", i, gd, wd)
				}
				if gm["digest_matches_event"] != w["digest_matches_event"] {
					diffMatch++
					t.Logf("event %d %v: digest_matches_event %v, Trustee %v", i, gm["type_name"], gm["digest_matches_event"], w["digest_matches_event"])
				}
				if s, ok := w["details"].(map[string]any)["string"]; ok && gm["type_name"] != "EV_EVENT_TAG" {
					if gs := gm["details"].(map[string]any)["string"]; gs != s {
						t.Logf("event %d %v: details.string %q, Trustee %q", i, gm["type_name"], gs, s)
					}
				}
			}
		})
	}
}

func TestTable(t *testing.T) {
	raw, table, _ := goTDXGuestCCEL(t)
	tb, err := eventlog.ParseTable(table)
	if err != nil {
		t.Fatal(err)
	}
	if tb.CCType != eventlog.CCTypeTDX || tb.LAML != 0x40000 || tb.LASA != 0xbedbf000 {
		t.Errorf("table %+v", tb)
	}
	l := parse(t, raw)
	other, err := eventlog.ParseTable(vectors.Read(t, "eventlog/go-eventlog/testdata/eventlogs/ccel/CCEL.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.CheckLog(l, len(raw)); !errors.Is(err, eventlog.ErrTable) {
		t.Errorf("CheckLog(LAML 0x10000, 256 KiB log): %v, want ErrTable", err)
	}
	for _, c := range []struct {
		name string
		mod  func([]byte) []byte
	}{
		{"short", func(b []byte) []byte { return b[:40] }},
		{"signature", func(b []byte) []byte { b[0] = 'X'; b[9] -= 'X' - 'C'; return b }},
		{"checksum", func(b []byte) []byte { b[0x30]++; return b }},
		{"length", func(b []byte) []byte { return append(b, 0) }},
	} {
		if _, err := eventlog.ParseTable(c.mod(bytes.Clone(table))); !errors.Is(err, eventlog.ErrTable) {
			t.Errorf("%s: %v, want ErrTable", c.name, err)
		}
	}
	sev := bytes.Clone(table)
	sev[0x24], sev[9] = 1, sev[9]+1
	st, err := eventlog.ParseTable(sev)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CheckLog(l, len(raw)); !errors.Is(err, eventlog.ErrTable) {
		t.Errorf("CC type 1: %v, want ErrTable", err)
	}
}

func TestMalformed(t *testing.T) {
	raw, _, _ := goTDXGuestCCEL(t)
	l := parse(t, raw)
	e1 := l.Events[1]
	for _, c := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, eventlog.ErrTruncated},
		{"header-only-short", raw[:20], eventlog.ErrTruncated},
		{"cut-in-event", raw[:e1.Offset+20], eventlog.ErrTruncated},
		{"garbage-after-marker", append(append(bytes.Clone(raw[:len(l.Raw)]), bytes.Repeat([]byte{0xFF}, 16)...), 1), eventlog.ErrMalformed},
		{"too-large", make([]byte, eventlog.DefaultMaxSize+1), eventlog.ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := eventlog.Parse(c.in, nil); !errors.Is(err, c.want) {
				t.Fatalf("Parse: %v, want %v", err, c.want)
			}
		})
	}
	if _, err := eventlog.Parse(raw, &eventlog.Options{MaxEvents: 10}); !errors.Is(err, eventlog.ErrTooLarge) {
		t.Fatalf("MaxEvents 10: %v", err)
	}
	// An unknown algorithm in an event, not among the header's banks.
	b := bytes.Clone(raw)
	b[e1.Offset+12] = 0x0B
	if _, err := eventlog.Parse(b, nil); !errors.Is(err, eventlog.ErrMalformed) {
		t.Fatalf("event with a SHA-256 digest in a SHA-384 log: %v", err)
	}
}

func TestClone(t *testing.T) {
	raw, _, quote := goTDXGuestCCEL(t)
	b := bytes.Clone(raw)
	c := parse(t, b).Clone()
	for i := range b {
		b[i] = 0
	}
	if err := c.CheckRTMRs(quoteRTMRs(t, quote)); err != nil {
		t.Fatal(err)
	}
}
