module github.com/ccverify/ccverify

go 1.26.8

require (
	github.com/google/go-sev-guest v0.15.0 // indirect
	github.com/google/go-tdx-guest v0.3.2-0.20260305110651-91f9a52f36c7 // indirect
	golang.org/x/crypto v0.17.0 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
)
