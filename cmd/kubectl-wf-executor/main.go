// Command kubectl-wf-executor saves a step's output artifacts: an init
// container installs it into a volume (install), the step's container runs
// its command under it (wrap), or an init container of the step's image
// first fills a volume over one of its directories with what the image
// has there (seed), and a native sidecar prints the saved artifacts to its
// log when the kubelet stops it (emit). See package executor.
package main

import (
	"os"

	"github.com/kubectl-wf/kubectl-wf/executor"
)

func main() {
	os.Exit(executor.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
