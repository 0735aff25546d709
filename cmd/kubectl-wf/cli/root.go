// Package cli wires kubectl-wf's commands and flags to the compile and watch
// packages. It holds no workflow logic of its own.
package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes, as documented in the README.
const (
	ExitOK     = 0
	ExitFailed = 1 // a workflow failed, lint found errors, or a command failed
	ExitUsage  = 2 // the command line itself is wrong
)

// usageError marks an error in the command line, which exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usageErrorf returns an error that makes kubectl-wf exit 2.
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// usageArgs makes a cobra argument check's error a usage error (exit 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// silentError exits with its code after the command printed its own report.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Execute runs kubectl-wf with args and returns the process exit code.
func Execute(ctx context.Context, streams genericiooptions.IOStreams, args []string) int {
	root := NewRootCommand(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var silent silentError
	if errors.As(err, &silent) {
		return silent.code
	}
	fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	var usage usageError
	if errors.As(err, &usage) || strings.HasPrefix(err.Error(), "unknown command") {
		return ExitUsage
	}
	return ExitFailed
}

// NewRootCommand builds the `kubectl wf` command tree.
func NewRootCommand(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)
	root := &cobra.Command{
		Use:   "kubectl-wf",
		Short: "Run Argo Workflows YAML as native Kubernetes Jobs, with no controller",
		Long: `kubectl wf runs Argo Workflows (argoproj.io/v1alpha1 Workflow) YAML on any
Kubernetes cluster without installing anything in it: each template becomes a
native batch/v1 Job, and this process drives the workflow from the client.

Environment: NO_COLOR turns colour off; GOMEMLIMIT sets the soft memory
limit of this process (56MiB unless set; GOMEMLIMIT=off removes it).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl wf",
		},
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	configFlags.AddFlags(root.PersistentFlags())

	root.AddCommand(
		NewCmdVersion(streams),
		NewCmdLint(streams),
		NewCmdCompile(configFlags, streams),
		NewCmdSubmit(configFlags, streams),
		NewCmdGet(configFlags, streams),
		NewCmdWatch(configFlags, streams),
		NewCmdList(configFlags, streams),
		NewCmdLogs(configFlags, streams),
		NewCmdResume(configFlags, streams),
		NewCmdSuspend(configFlags, streams),
		NewCmdStop(configFlags, streams),
		NewCmdTerminate(configFlags, streams),
		NewCmdRetry(configFlags, streams),
		NewCmdDelete(configFlags, streams),
		NewCmdTemplate(configFlags, streams),
		NewCmdClusterTemplate(configFlags, streams),
	)
	return root
}
