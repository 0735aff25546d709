//go:build !unix

package executor

import "os"

// The executor runs in Linux containers; elsewhere (the package builds
// with kubectl-wf on every platform) it only needs to compile and work
// plainly.

var forwardedSignals = []os.Signal{os.Interrupt}

func exitCode(ps *os.ProcessState) int { return ps.ExitCode() }
