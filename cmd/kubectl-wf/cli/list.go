package cli

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// NewCmdList lists workflows.
func NewCmdList(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	var all, running, completed bool
	var statuses []string
	printFlags := genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List workflows",
		Long:    "List the workflows of a namespace (or all, with -A), newest first, with their status, age, duration and progress.",
		Example: "  kubectl wf list\n  kubectl wf list -A --running\n  kubectl wf list --status Failed,Error",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if running && completed {
				return usageErrorf("--running and --completed exclude each other")
			}
			for _, st := range statuses {
				if !slices.Contains(phases, watch.Phase(st)) {
					return usageErrorf("--status %q is not one of %v", st, phases)
				}
			}
			output := *printFlags.OutputFormat
			if !knownFormat(printFlags, output, "wide") {
				return usageErrorf("--output must be one of wide, %s, not %q", strings.Join(printFlags.AllowedFormats(), ", "), output)
			}
			cs, ns, err := f.client()
			if err != nil {
				return err
			}
			if all {
				ns = metav1.NamespaceAll
			}
			list, err := cs.CoreV1().ConfigMaps(ns).List(cmd.Context(), metav1.ListOptions{LabelSelector: compile.LabelRole + "=" + compile.RoleWorkflow})
			if err != nil {
				return err
			}
			items := list.Items
			sort.Slice(items, func(i, j int) bool { return items[j].CreationTimestamp.Before(&items[i].CreationTimestamp) })
			items = slices.DeleteFunc(items, func(cm corev1.ConfigMap) bool {
				phase := watch.Phase(cm.Annotations[watch.AnnotationPhase])
				return (running && phase.Fulfilled()) || (completed && !phase.Fulfilled()) ||
					(len(statuses) > 0 && !slices.Contains(statuses, string(phase)))
			})
			if output != "" && output != "name" && output != "wide" {
				docs := make([]any, len(items))
				for i, cm := range items {
					docs[i] = summarize(&cm)
				}
				return printDocument(printFlags, map[string]any{"apiVersion": "v1", "kind": "List", "items": docs}, streams.Out)
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 0, 3, ' ', 0)
			if output != "name" {
				fmt.Fprintln(tw, strings.Join(append(pick2(all, "NAMESPACE"), "NAME", "STATUS", "AGE", "DURATION", "PROGRESS", "MESSAGE"), "\t"))
			}
			now := time.Now()
			for _, cm := range items {
				phase := watch.Phase(cm.Annotations[watch.AnnotationPhase])
				if output == "name" {
					fmt.Fprintf(streams.Out, "workflow/%s\n", cm.Name)
					continue
				}
				dur := ""
				if start, err := time.Parse(time.RFC3339, cm.Annotations[watch.AnnotationStartedAt]); err == nil {
					end := now
					if t, err := time.Parse(time.RFC3339, cm.Annotations[watch.AnnotationFinishedAt]); err == nil {
						end = t
					}
					dur = duration.HumanDuration(end.Sub(start))
				}
				cols := append(pick2(all, cm.Namespace), cm.Name, string(phase), duration.HumanDuration(now.Sub(cm.CreationTimestamp.Time)),
					dur, cm.Annotations[watch.AnnotationProgress], cm.Annotations[watch.AnnotationMessage])
				fmt.Fprintln(tw, strings.Join(cols, "\t"))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVarP(&all, "all-namespaces", "A", false, "List workflows of every namespace")
	cmd.Flags().BoolVar(&running, "running", false, "Only workflows that have not ended")
	cmd.Flags().BoolVar(&completed, "completed", false, "Only workflows that have ended")
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "Only workflows in these phases (Pending, Running, Succeeded, Failed, Error), comma-separated")
	printFlags.AddFlags(cmd)
	addRateFlags(cmd, f)
	return cmd
}

// workflowSummary is one item of `list -o json|yaml`.
type workflowSummary struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	Namespace  string    `json:"namespace"`
	Created    time.Time `json:"created"`
	Phase      string    `json:"phase"`
	Message    string    `json:"message,omitempty"`
	Progress   string    `json:"progress,omitempty"`
	StartedAt  string    `json:"startedAt,omitempty"`
	FinishedAt string    `json:"finishedAt,omitempty"`
}

func summarize(cm *corev1.ConfigMap) workflowSummary {
	a := cm.Annotations
	return workflowSummary{APIVersion: documentAPIVersion, Kind: documentKind, Name: cm.Name, Namespace: cm.Namespace,
		Created: cm.CreationTimestamp.Time, Phase: a[watch.AnnotationPhase], Message: a[watch.AnnotationMessage],
		Progress: a[watch.AnnotationProgress], StartedAt: a[watch.AnnotationStartedAt], FinishedAt: a[watch.AnnotationFinishedAt]}
}

// phases are the phases a workflow can be in.
var phases = []watch.Phase{watch.Pending, watch.Running, watch.Succeeded, watch.Failed, watch.Error}

func pick2(cond bool, s string) []string {
	if cond {
		return []string{s}
	}
	return nil
}
