// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Command ccverify inspects and verifies confidential-computing evidence:
// Intel TDX quotes (v4, v5) today; AMD SEV-SNP reports and IBM Secure Execution
// as they land.
//
// Usage:
//
//	ccverify inspect [--json] FILE
//	ccverify verify [flags] FILE|DIR...
//	ccverify verify [flags] --eventlog CCEL [--ccel-table TABLE] QUOTE
//	ccverify collateral fetch [--pcs-url URL] [--pcs-update early|standard] QUOTE --out DIR
//	ccverify ear verify TOKEN --key PUB [--nonce HEX] [--at RFC3339]
//	ccverify corim from-evidence EVIDENCE -o TEMPLATE.json
//	ccverify corim build TEMPLATE.json -o FILE [--sign KEY]
//	ccverify corim inspect FILE [--key PUB]
//
// verify prints a verdict per file. Many files, or a directory, make an
// offline audit: they are verified in parallel and a summary line ends the run.
//
// Exit status (of an audit: the highest of its files'):
//
//	0  affirming
//	1  warning
//	2  contraindicated: the evidence was judged and rejected
//	3  usage error, or input that is not evidence or cannot be read
//	4  the verifier could not judge: collateral could not be fetched,
//	   network error, rate limit
//
// Flags may come before or after the files. In a directory, files that are
// not evidence (certificates, CRLs, text) are skipped and counted; --verbose
// names them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ccverify/ccverify/verify"
)

// Exit codes, documented in the package comment and the README.
const (
	exitAffirming       = 0
	exitWarning         = 1
	exitContraindicated = 2
	exitUsage           = 3
	exitUnavailable     = 4
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "inspect":
		return inspectCmd(args[1:], stdout, stderr)
	case "verify":
		return verifyCmd(args[1:], stdout, stderr)
	case "collateral":
		return collateralCmd(args[1:], stdout, stderr)
	case "ear":
		return earCmd(args[1:], stdout, stderr)
	case "corim":
		return corimCmd(args[1:], stdout, stderr)
	case "se":
		return seCmd(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return exitAffirming
	case "version", "--version":
		fmt.Fprintln(stdout, verify.VerifierBuild)
		return exitAffirming
	}
	fmt.Fprintf(stderr, "ccverify: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  ccverify inspect [--json] FILE        detect the evidence format, print every field
                                        (an event log: its events, replayed registers, boot)
  ccverify verify [flags] FILE|DIR...   verify evidence, print a verdict per file
  ccverify verify [flags] --eventlog CCEL [--ccel-table TABLE] QUOTE
                                        also replay the TD's CC event log against its RTMRs
  ccverify collateral fetch [--pcs-url URL] [--pcs-update early|standard] QUOTE --out DIR
  ccverify collateral fetch [--kds-url URL] [--snp-product Milan|Genoa|Turin] REPORT --out DIR
                                        fetch a TDX quote's Intel collateral, or an SNP
                                        report's VCEK and chain CRL from AMD's KDS, into DIR
                                        (proved against the evidence first), for
                                        verify --offline --collateral DIR
  ccverify corim from-evidence EVIDENCE -o TEMPLATE.json [--offline] [--collateral PATH] [--at T]
                                        draft the reference values that approve what a
                                        golden quote or report measured (verified first)
  ccverify corim build TEMPLATE.json -o FILE [--sign KEY.pem [--sign-chain CERTS.pem]] [--signer NAME] [--valid-for DUR]
                                        write the CoRIM (signed with --sign)
  ccverify corim inspect FILE [--key PUB.pem] [--at T]
                                        decode (with --key: verify) a CoRIM, print it as JSON
  ccverify ear verify TOKEN --key PUB [--nonce HEX] [--at RFC3339]
                                        check an EAR's signature, expiry and nonce, print
                                        its claims; exit 0/1/2 by its status (2 if rejected)
  ccverify se request --hkd HKD... [--flags LIST] [--cert F] [--crl F] [--root-ca F] --out DIR
                                        build an IBM Secure Execution attestation request
                                        (ARCB) for the hosts; DIR keeps its secret
  ccverify se inspect FILE              print an ARCB, an SE answer or an SE header
  ccverify version                      print the version
  ccverify help                         print this help

Flags may come before or after the files.

verify flags:
  --offline              never touch the network (collateral must be supplied)
  --collateral PATH      collateral file or directory (repeatable)
  --at RFC3339           verification time (default: now)
  --output text|json|ear human summary; EAR claims set (with "path") per line;
                         {"path","evidence_sha256","ear": signed JWT} per line
  --signing-key FILE     PEM private key for the EAR: EC P-256/P-384 or Ed25519
                         (default: an ephemeral P-256 key)
  --key-id ID            kid header of the EAR
  --ear-profile P        the EAR's shape (default: ear-go's, which Veraison reads):
                         draft-03: draft-ietf-rats-ear-03's claim names and profile;
                         trustee: Trustee's attestation-service token (submodule cpu0,
                         {"tdx"|"snp"|…: claims, "report_data", "runtime_data_claims"},
                         its eat_profile, iss, jwk header, exp = iat + 5 min), for a KBS
  --ear-lifetime DUR     the EAR's exp is at most now + DUR (default: the collateral's expiry;
                         5m with --ear-profile trustee)
  --nonce HEX            REPORT_DATA must be this nonce, zero padded (echoed as eat_nonce)
  --report-data-hash H   sha256|sha384|sha512: REPORT_DATA = H(nonce || runtime data)
  --runtime-data FILE    runtime data hashed after the nonce (Trustee's binding)
  --report-data HEX      REPORT_DATA expected exactly (zero padded)
  --jobs N               files verified in parallel (default: number of CPUs)
  --verbose              name the files of a directory that are skipped as not evidence
  --from-list FILE       verify the paths listed in FILE (- for stdin), one a line: results
                         stream in order and nothing is kept per file (audits of any size)
  --max-size BYTES       largest evidence file read (default 1 MiB)
  --allow-debug          do not contraindicate debug TDs and guests
  --strict-trailing      reject evidence followed by non-zero bytes
  --require-crls         fail evidence whose collateral lacks a usable (genuine, current) CRL:
                         Intel's PCK CA and Root CA CRLs; the ARK's CRL for the VCEK or VLEK
                         chain (a VLEK chain's CRL file needs "vlek" in its name)
  --require-collateral   fail TDX quotes whose collateral is missing or unusable (expired,
                         forged, another platform's), as Intel's QVL does; by default such
                         collateral counts as none and the verdict is a warning
  --min-tcb-eval-num N   Intel TCB Info / QE Identity below this evaluation number are not used
  --max-collateral-age D Intel collateral issued longer than D ago (e.g. 720h) is not used
  --allow-expired-collateral  accept collateral past its nextUpdate (a warning)
  --pcs-url URL          Intel PCS or PCCS base URL (default: Intel PCS)
  --pcs-update CHANNEL   Intel TCB update channel: standard or early
  --intel-root FILE      trust this PEM root instead of the pinned Intel SGX Root CA
                         (test vectors, private PKIs; said on stderr)
  --amd-root FILE        trust these PEM ARKs besides the pinned AMD roots (test vectors)
  --refvalues FILE       reference values: a CoRIM (signed: verified with --refvalues-key;
                         unsigned: trusted because you named it) or expected-values JSON
                         {"mr_td":["HEX",...],"measurement":["HEX"]} (repeatable)
  --refvalues-key FILE   PEM public key or certificate trusted to sign CoRIMs (repeatable)
  --refvalues-root FILE  PEM root(s) a signed CoRIM's x5chain header must chain to (repeatable)
  --expect NAME=VALUE    an expected claim value (any claim of CLAIMS.md: mr_td, rtmr_1,
                         measurement, host_data, ...; repeatable)
  --hardware-only        without reference values, accept genuine hardware as affirming
                         (default: "software not appraised", at most warning)
  --policy FILE          appraisal policy, JSON (unknown keys refused; its SHA-256 is the
                         EAR's ear.appraisal-policy-id):
                         {"tdx":{"accept_tcb_status":["SWHardeningNeeded"],"reject_tcb_status":["OutOfDate"]},
                          "snp":{"DenyDebug":true},"require_crls":true,"max_collateral_age":"720h"}
  --se-header FILE       the guest's SE header or SE image: an IBM SE answer's measurement
                         must cover its tags (never taken from the guest)
  --se-request DIR       the request (ccverify se request --out DIR) the SE answer answers:
                         its secret, host key documents and IBM collateral; records the
                         answer so that a replay is refused
  --snp-policy FILE      SEV-SNP policy checks, JSON with the fields of certs/amd.Policy:
                         {"MinimumTCB":{"BootLoader":3,"SNP":20,"Microcode":209},"DenyDebug":true}

exit status: 0 affirming, 1 warning, 2 contraindicated (judged and rejected),
  3 usage error or input that is not evidence or cannot be read,
  4 the verifier could not judge (collateral could not be fetched, network error);
  an audit exits with the highest status of its files
`)
}

// parseArgs parses flags that may come before, between or after the
// positional arguments (GNU style; "--" ends the flags) and returns the
// positional arguments. With ok false, the command returns code: 0 after
// -h or --help (usage printed on stdout), 3 for a bad flag.
func parseArgs(fl *flag.FlagSet, args []string, stdout, stderr io.Writer) (pos []string, code int, ok bool) {
	fl.Usage = func() {}
	for {
		if err := fl.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage(stdout)
				return nil, exitAffirming, false
			}
			usage(stderr)
			return nil, exitUsage, false
		}
		rest := fl.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
