package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

// GetOptions are the inputs of `kubectl wf get`.
type GetOptions struct {
	clientFlags
	Name       string
	PrintFlags *genericclioptions.PrintFlags
	NoColor    bool
	genericiooptions.IOStreams
}

// Document identity for -o json|yaml|jsonpath: kubectl-wf's own, not a
// served API kind.
const (
	documentAPIVersion = "kubectl-wf.dev/v1alpha1"
	documentKind       = "Workflow"
)

// workflowDocument is `get -o json|yaml`: a stable document for scripts.
type workflowDocument struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	Namespace  string    `json:"namespace"`
	Created    time.Time `json:"created"`
	StartedAt  string    `json:"startedAt,omitempty"`
	FinishedAt string    `json:"finishedAt,omitempty"`
	DrivenBy   string    `json:"drivenBy,omitempty"`
	// Parameters are the workflow's parameters, in their order.
	Parameters []parameter   `json:"parameters,omitempty"`
	Status     *watch.Status `json:"status"`
}

type parameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// NewCmdGet shows a workflow as argo get does.
func NewCmdGet(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &GetOptions{clientFlags: clientFlags{configFlags: configFlags}, IOStreams: streams,
		PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)}
	cmd := &cobra.Command{
		Use:   "get NAME|@latest",
		Short: "Show a workflow's status and node tree",
		Long: `Show a workflow as argo get does: its status, times, progress and parameters,
then its node tree with status marks, pods, durations and messages, and who is
driving it. Any client can read it: the status lives in native objects.`,
		Example: `  kubectl wf get @latest
  kubectl wf get hello-world-x7k2p -o json
  kubectl wf get @latest -o jsonpath='{.status.phase}'`,
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: completeWorkflows(&o.clientFlags, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if f := *o.PrintFlags.OutputFormat; !knownFormat(o.PrintFlags, f, "wide") {
				return usageErrorf("--output must be one of wide, %s, not %q", strings.Join(o.PrintFlags.AllowedFormats(), ", "), f)
			}
			return o.Run(cmd)
		},
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().BoolVar(&o.NoColor, "no-color", false, "Do not colour status marks (NO_COLOR also turns colour off)")
	addRateFlags(cmd, &o.clientFlags)
	return cmd
}

// Run reads and prints the workflow.
func (o *GetOptions) Run(cmd *cobra.Command) error {
	cs, ns, err := o.client()
	if err != nil {
		return err
	}
	name, err := resolveName(cmd.Context(), cs, ns, o.Name)
	if err != nil {
		return err
	}
	snap, err := watch.Read(cmd.Context(), cs, ns, name)
	if err != nil {
		return err
	}
	return o.print(documentOf(snap), time.Now())
}

// documentOf is the document get prints of a snapshot.
func documentOf(snap *watch.Snapshot) workflowDocument {
	doc := workflowDocument{APIVersion: documentAPIVersion, Kind: documentKind, Name: snap.Object.Name, Namespace: snap.Object.Namespace,
		Created: snap.Object.CreationTimestamp.Time, StartedAt: snap.Object.Annotations[watch.AnnotationStartedAt],
		FinishedAt: snap.Object.Annotations[watch.AnnotationFinishedAt], DrivenBy: snap.Holder, Status: snap.Status}
	for _, p := range snap.Workflow.Spec.Arguments.Parameters {
		if p.Value != nil {
			doc.Parameters = append(doc.Parameters, parameter{p.Name, p.Value.String()})
		}
	}
	return doc
}

// print writes doc in the format -o asks for; now ages what it shows.
func (o *GetOptions) print(doc workflowDocument, now time.Time) error {
	switch f := *o.PrintFlags.OutputFormat; f {
	case "", "wide":
	case "name":
		_, err := fmt.Fprintf(o.Out, "workflow/%s\n", doc.Name)
		return err
	default:
		return printDocument(o.PrintFlags, doc, o.Out)
	}
	printHeader(o.Out, doc, now)
	fmt.Fprintln(o.Out)
	tree := &treePrinter{status: doc.Status, now: now, color: useColor(o.Out, o.NoColor), wide: *o.PrintFlags.OutputFormat == "wide"}
	return tree.print(o.Out)
}

func printHeader(out io.Writer, d workflowDocument, now time.Time) {
	line := func(k, v string) { fmt.Fprintf(out, "%-20s %s\n", k+":", v) }
	line("Name", d.Name)
	line("Namespace", d.Namespace)
	if d.Status.Suspended {
		line("Status", string(d.Status.Phase)+" (Suspended)")
	} else {
		line("Status", string(d.Status.Phase))
	}
	if d.Status.Message != "" {
		line("Message", d.Status.Message)
	}
	ago := func(t time.Time) string {
		return fmt.Sprintf("%s (%s ago)", t.Local().Format("Mon Jan 02 15:04:05 -0700"), duration.HumanDuration(now.Sub(t)))
	}
	line("Created", ago(d.Created))
	var started, finished time.Time
	if t, err := time.Parse(time.RFC3339, d.StartedAt); err == nil {
		started = t
		line("Started", ago(t))
	}
	if t, err := time.Parse(time.RFC3339, d.FinishedAt); err == nil {
		finished = t
		line("Finished", ago(t))
	}
	if !started.IsZero() {
		end := now
		if !finished.IsZero() {
			end = finished
		}
		line("Duration", duration.HumanDuration(end.Sub(started)))
	}
	line("Progress", d.Status.Progress)
	if len(d.Parameters) > 0 {
		fmt.Fprintln(out, "Parameters:")
		for _, p := range d.Parameters {
			fmt.Fprintf(out, "  %s: %s\n", p.Name, p.Value)
		}
	}
	if o := d.Status.Outputs; o != nil && len(o.Parameters) > 0 {
		// As argo get, in name order (Argo's is the order of export).
		fmt.Fprintln(out, "Output Parameters:")
		for _, name := range slices.Sorted(maps.Keys(o.Parameters)) {
			fmt.Fprintf(out, "  %s: %s\n", name, o.Parameters[name])
		}
	}
	if o := d.Status.Outputs; o != nil && len(o.Artifacts) > 0 {
		// As argo get, in the order of export; the location is the
		// ConfigMap that keeps the artifact.
		fmt.Fprintln(out, "Output Artifacts:")
		for _, a := range o.Artifacts {
			deleted := ""
			if a.Deleted {
				deleted = " (deleted: artifactGC)"
			}
			fmt.Fprintf(out, "  %s: configmap/%s%s\n", a.Name, a.ConfigMap, deleted)
		}
	}
	switch {
	case d.DrivenBy != "":
		line("Driven by", d.DrivenBy)
	case !d.Status.Phase.Fulfilled():
		line("Driven by", fmt.Sprintf("nobody: continue with kubectl wf watch %s -n %s", d.Name, d.Namespace))
	}
}

// printDocument prints a document with kubectl's printers (json, yaml,
// jsonpath, go-template), which take an object: the document as one.
func printDocument(flags *genericclioptions.PrintFlags, doc any, out io.Writer) error {
	printer, err := flags.ToPrinter()
	if err != nil {
		return usageError{err}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	var obj unstructured.Unstructured
	if err := obj.UnmarshalJSON(raw); err != nil {
		return err
	}
	return printer.PrintObj(&obj, out)
}

// knownFormat reports whether -o names a format kubectl's printers (or
// the command itself, in extra) print; "jsonpath=…" counts as jsonpath.
func knownFormat(flags *genericclioptions.PrintFlags, format string, extra ...string) bool {
	base, _, _ := strings.Cut(format, "=")
	return base == "" || base == "name" || slices.Contains(extra, base) || slices.Contains(flags.AllowedFormats(), base)
}
