package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

// NewCmdResume resumes a workflow's suspend nodes.
func NewCmdResume(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	var nodeSelector string
	cmd := &cobra.Command{
		Use:   "resume NAME|@latest",
		Short: "Resume a suspended workflow and the suspend steps it waits at",
		Long: `Lift a 'kubectl wf suspend' and mark every suspend node the workflow has
reached as resumed, as argo resume does; its driver goes on. With
--node-field-selector, resume only the suspend nodes whose fields match
(id, name, displayName, templateName, phase).`,
		Example: `  kubectl wf resume @latest
  kubectl wf resume approval-x7k2p --node-field-selector displayName=approve`,
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: completeWorkflows(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var selector fields.Selector
			if nodeSelector != "" {
				var err error
				if selector, err = fields.ParseSelector(nodeSelector); err != nil {
					return usageErrorf("--node-field-selector: %v", err)
				}
			}
			cs, ns, name, err := f.target(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			n, err := watch.Resume(cmd.Context(), cs, ns, name, time.Now(), selector)
			if err != nil {
				return err
			}
			if selector != nil {
				_, err = fmt.Fprintf(streams.Out, "workflow/%s resumed (%d node(s))\n", name, n)
				return err
			}
			_, err = fmt.Fprintf(streams.Out, "workflow/%s resumed\n", name)
			return err
		},
	}
	cmd.Flags().StringVar(&nodeSelector, "node-field-selector", "", "Resume only the suspend nodes matching this field selector, e.g. displayName=approve")
	addRateFlags(cmd, f)
	return cmd
}
