package cli

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// NewCmdWatch takes over driving a workflow, or follows its driver.
func NewCmdWatch(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	var noColor bool
	cmd := &cobra.Command{
		Use:   "watch NAME|@latest",
		Short: "Drive a workflow to its end, or follow the process driving it",
		Long: `Drive a workflow from this process until it ends, printing each node as it
changes; this is how a workflow whose driver was stopped or died goes on.
When another process drives it, follow that one instead, and take over if it
stops renewing its Lease. Exits 0 when the workflow Succeeded, 1 otherwise.`,
		Example:           "  kubectl wf watch @latest\n  kubectl wf watch hello-world-x7k2p -n team-a",
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
			return drive(cmd.Context(), cs, res, ns, name, streams.Out, streams.ErrOut, noColor)
		},
	}
	cmd.Flags().BoolVar(&noColor, "no-color", false, "Do not colour status marks (NO_COLOR also turns colour off)")
	addRateFlags(cmd, f)
	return cmd
}
