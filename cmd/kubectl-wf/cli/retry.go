package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

// NewCmdRetry reruns a failed workflow's failed nodes.
func NewCmdRetry(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	var detach, noColor bool
	cmd := &cobra.Command{
		Use:   "retry NAME|@latest",
		Short: "Run a failed workflow's failed steps again",
		Long: `Retry a Failed or Error workflow as argo retry does: the Jobs of its failed
nodes are deleted with their pods, a failed resource node's next create makes a
new object (a new child workflow, say) instead of reusing the failed one,
succeeded nodes keep their results, and the workflow is driven again from where
it failed. Exits 0 when it then Succeeds.`,
		Example:           "  kubectl wf retry @latest\n  kubectl wf retry build-x7k2p --detach",
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: completeWorkflows(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, ns, name, err := f.target(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			res, err := f.resources()
			if err != nil {
				return err
			}
			reset, err := watch.Retry(cmd.Context(), cs, res, ns, name)
			if err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "workflow/%s retried (%s)\n", name, strings.Join(reset, ", "))
			if detach {
				fmt.Fprintf(streams.ErrOut, "drive it with: kubectl wf watch %s -n %s\n", name, ns)
				return nil
			}
			return drive(cmd.Context(), cs, res, ns, name, streams.Out, streams.ErrOut, noColor)
		},
	}
	cmd.Flags().BoolVar(&detach, "detach", false, "Reset the failed nodes and return without driving the workflow")
	cmd.Flags().BoolVar(&noColor, "no-color", false, "Do not colour status marks (NO_COLOR also turns colour off)")
	addRateFlags(cmd, f)
	return cmd
}
