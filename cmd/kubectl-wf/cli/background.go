package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// How submit and retry hand the workflow on once it exists.
const (
	driveForeground = "foreground" // drive it from this process (the default)
	driveBackground = "background" // start a detached `kubectl wf watch`
	driveNone       = "none"       // create it only; `kubectl wf watch` drives it later
)

// executableEnv overrides the binary started as the background driver
// (tests run in a test binary, which is not kubectl-wf).
const executableEnv = "KUBECTL_WF_EXECUTABLE"

// startBackgroundDriver starts `kubectl-wf watch NAME` as a process of its
// own session, so that it outlives this one and the terminal, with the
// connection flags this command was given. Its output goes to a log file.
func startBackgroundDriver(cmd *cobra.Command, namespace, name string) (pid int, logPath string, err error) {
	self := os.Getenv(executableEnv)
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return 0, "", err
		}
	}
	args := []string{"watch", name, "--namespace", namespace}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if cmd.Root().PersistentFlags().Lookup(f.Name) != nil && f.Name != "namespace" {
			args = append(args, "--"+f.Name+"="+f.Value.String())
		}
	})
	logFile, err := os.CreateTemp("", "kubectl-wf-"+filepath.Base(name)+"-*.log")
	if err != nil {
		return 0, "", err
	}
	defer logFile.Close()
	bg := exec.Command(self, args...)
	bg.Stdout, bg.Stderr = logFile, logFile
	bg.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := bg.Start(); err != nil {
		return 0, "", fmt.Errorf("starting the background driver: %w", err)
	}
	pid = bg.Process.Pid
	return pid, logFile.Name(), bg.Process.Release()
}
