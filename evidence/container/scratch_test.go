package container_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/ccverify/ccverify/evidence/container"
)

func TestScratch(t *testing.T) {
	for _, f := range []string{"evidence-v0.json", "evidence-v1.json", "evidence-v2.json", "evidence-genoa.json", "hcl-report.bin"} {
		b, _ := os.ReadFile("/work/shared/vectors/snp/confidential-containers-trustee/az-snp-vtpm/" + f)
		es, err := container.Unwrap(b, nil)
		fmt.Println(f, err)
		for _, e := range es {
			fmt.Println(" ", e.TEE, e.Form, e.Version, e.Origin, len(e.Pieces))
			for _, p := range e.Pieces[:6] {
				fmt.Println("   ", p.Kind, len(p.Data), p.Origin)
			}
		}
	}
	b, _ := os.ReadFile("/work/shared/vectors/snp/confidential-containers-trustee/e2e-evidence.json")
	es, err := container.Unwrap(b, nil)
	fmt.Println(err)
	for _, e := range es {
		for _, p := range e.Pieces {
			fmt.Println("   ", p.Kind, len(p.Data), p.Origin)
		}
		r, _ := os.ReadFile("/work/shared/vectors/snp/confidential-containers-trustee/e2e-evidence.report.reconstructed.bin")
		fmt.Println("equal:", string(r) == string(e.Pieces[0].Data))
	}
}
