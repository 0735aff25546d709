package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Set at link time by `make dist` (-ldflags -X).
var (
	version = "v0.0.0-dev"
	commit  = "unknown"
	date    = "unknown"
)

// NewCmdVersion prints the build's version, commit and date.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of kubectl-wf",
		Long:    "Print the version, git commit and build date of this kubectl-wf binary.",
		Example: "  kubectl wf version",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(streams.Out, "kubectl-wf %s (commit %s, built %s)\n", version, commit, date)
			return err
		},
	}
}
