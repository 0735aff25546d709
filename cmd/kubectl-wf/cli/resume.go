package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

// NewCmdResume resumes a workflow's suspend nodes.
func NewCmdResume(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	cmd := &cobra.Command{
		Use:     "resume NAME|@latest",
		Short:   "Resume the suspend steps a workflow is waiting at",
		Long:    "Mark every suspend node the workflow has reached as resumed, as argo resume does; its driver goes on.",
		Example: "  kubectl wf resume @latest",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, ns, name, err := f.target(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := watch.Resume(cmd.Context(), cs, ns, name, time.Now()); err != nil {
				return err
			}
			_, err = fmt.Fprintf(streams.Out, "workflow/%s resumed\n", name)
			return err
		},
	}
	addRateFlags(cmd, f)
	return cmd
}
