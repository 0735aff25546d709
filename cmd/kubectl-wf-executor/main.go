// Command kubectl-wf-executor saves a step's output artifacts: an init
// container installs it into a volume (install), the step's container runs
// its command under it (wrap), or an init container of the step's image
// first fills a volume over one of its directories with what the image
// has there (seed), and a native sidecar prints the saved artifacts to its
// log when the kubelet stops it (emit); an init container fetches http
// input artifacts (fetch). See package executor.
package main

import (
	"os"

	// The executor's image holds no CA certificates: fetching an https
	// artifact trusts Mozilla's roots, built in, unless the pod mounts
	// its own (SSL_CERT_FILE, SSL_CERT_DIR).
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/kubectl-wf/kubectl-wf/executor"
)

func main() {
	os.Exit(executor.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
