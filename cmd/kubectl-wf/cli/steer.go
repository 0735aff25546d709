package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

// NewCmdSuspend holds back a workflow's nodes not started yet.
func NewCmdSuspend(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	cmd := &cobra.Command{
		Use:   "suspend NAME|@latest",
		Short: "Suspend a workflow: running steps finish, no new step starts",
		Long: `Suspend a running workflow as argo suspend does: the steps already running
go on to their end, and nothing new starts until 'kubectl wf resume'.`,
		Example:           "  kubectl wf suspend @latest\n  kubectl wf resume @latest",
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: completeWorkflows(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, ns, name, err := f.target(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := watch.Suspend(cmd.Context(), cs, ns, name); err != nil {
				return err
			}
			_, err = fmt.Fprintf(streams.Out, "workflow/%s suspended\n", name)
			return err
		},
	}
	addRateFlags(cmd, f)
	return cmd
}

// NewCmdStop and NewCmdTerminate shut a workflow down.
func NewCmdStop(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newShutdownCommand(configFlags, streams, watch.Stop, "stop", "stopped",
		"Stop a workflow: stop its running steps and start nothing new but its exit handler",
		`Stop a workflow with Argo's Stop strategy: running steps are stopped, no new
step starts but the exit handler (spec.onExit), and the workflow ends Failed
with "Stopped with strategy 'Stop'".`)
}

func NewCmdTerminate(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newShutdownCommand(configFlags, streams, watch.Terminate, "terminate", "terminated",
		"Terminate a workflow: stop its running steps and start nothing new, not even exit handlers",
		`Terminate a workflow with Argo's Terminate strategy: running steps are
stopped, nothing new starts (not even exit handlers), and the workflow ends
Failed with "Stopped with strategy 'Terminate'".`)
}

func newShutdownCommand(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams, strategy, verb, done, short, long string) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	cmd := &cobra.Command{
		Use:               verb + " NAME|@latest",
		Short:             short,
		Long:              long + "\nIf no process drives the workflow, this command drives it to that end.",
		Example:           "  kubectl wf " + verb + " @latest",
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: completeWorkflows(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, ns, name, err := f.target(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := watch.Shutdown(cmd.Context(), cs, ns, name, strategy); err != nil {
				return err
			}
			if err := settle(cmd.Context(), cs, f, ns, name, streams.ErrOut); err != nil {
				return err
			}
			_, err = fmt.Fprintf(streams.Out, "workflow/%s %s\n", name, done)
			return err
		},
	}
	addRateFlags(cmd, f)
	return cmd
}

// settle drives a workflow nobody drives to its end, so that a decision
// written on it (a shutdown) is carried out now. When another process
// drives it, that one acts on it.
func settle(ctx context.Context, cs kubernetes.Interface, f *clientFlags, namespace, name string, errOut io.Writer) error {
	snap, err := watch.Read(ctx, cs, namespace, name)
	if err != nil || snap.Holder != "" || watch.Phase(snap.Object.Annotations[watch.AnnotationPhase]).Fulfilled() {
		return err
	}
	res, err := f.resources()
	if err != nil {
		return err
	}
	err = drive(ctx, cs, res, namespace, name, io.Discard, errOut, true)
	if errors.As(err, new(silentError)) {
		return nil // the workflow failed, as it was told to
	}
	return err
}
