package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// NewCmdDelete deletes workflows and everything they created.
func NewCmdDelete(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	var all, completed bool
	cmd := &cobra.Command{
		Use:               "delete NAME|@latest ... | --all | --completed",
		ValidArgsFunction: completeWorkflows(f, -1),
		Short:             "Delete workflows with their Jobs, pods and ConfigMaps",
		Long: `Delete workflow objects; Kubernetes' garbage collector then deletes the Jobs,
pods, ConfigMaps and Lease they own.`,
		Example: "  kubectl wf delete @latest\n  kubectl wf delete --completed",
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) > 0) == (all || completed) {
				return usageErrorf("give workflow names, or --all or --completed")
			}
			cs, ns, err := f.client()
			if err != nil {
				return err
			}
			names := args
			if all || completed {
				list, err := cs.CoreV1().ConfigMaps(ns).List(cmd.Context(), metav1.ListOptions{LabelSelector: compile.LabelRole + "=" + compile.RoleWorkflow})
				if err != nil {
					return err
				}
				for _, cm := range list.Items {
					if !completed || watch.Phase(cm.Annotations[watch.AnnotationPhase]).Fulfilled() {
						names = append(names, cm.Name)
					}
				}
			}
			background := metav1.DeletePropagationBackground
			for _, arg := range names {
				name, err := resolveName(cmd.Context(), cs, ns, arg)
				if err != nil {
					return err
				}
				if _, err := watch.Read(cmd.Context(), cs, ns, name); err != nil {
					return err
				}
				if err := cs.CoreV1().ConfigMaps(ns).Delete(cmd.Context(), name, metav1.DeleteOptions{PropagationPolicy: &background}); err != nil {
					return err
				}
				fmt.Fprintf(streams.Out, "workflow/%s deleted\n", name)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "Delete every workflow of the namespace")
	cmd.Flags().BoolVar(&completed, "completed", false, "Delete every workflow that has ended")
	addRateFlags(cmd, f)
	return cmd
}
