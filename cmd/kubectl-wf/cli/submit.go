package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/scheme"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

const submitExample = `  # Run a workflow and follow it to its end (exit 1 if it fails)
  kubectl wf submit hello-world.yaml

  # With parameters, in another namespace
  kubectl wf submit steps.yaml -p message=hi -n team-a

  # Create it and return at once, leaving a background process to drive it
  kubectl wf submit dag.yaml --detach -o name

  # Check against the server without creating anything
  kubectl wf submit dag.yaml --dry-run=server

  # Run a stored WorkflowTemplate (kubectl wf template create) with a parameter
  kubectl wf submit --from workflowtemplate/my-template -p message=hi`

// SubmitOptions are the inputs of `kubectl wf submit`.
type SubmitOptions struct {
	clientFlags
	File       string
	From       string
	Params     parameterFlags
	Name       string
	GenName    string
	Entrypoint string
	Account    string
	DryRun     string
	Detach     bool
	Driver     string
	Output     string
	NoColor    bool
	genericiooptions.IOStreams
}

// NewCmdSubmit creates a workflow and drives it to its end.
func NewCmdSubmit(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &SubmitOptions{clientFlags: clientFlags{configFlags: configFlags}, IOStreams: streams, DryRun: "none"}
	cmd := &cobra.Command{
		Use:   "submit FILE|- | --from KIND/NAME",
		Short: "Create a workflow and drive it to its end",
		Long: `Lint and compile a workflow, create its object in the cluster, then drive it
from this process until it ends, printing each node as it changes. Exits 0
when the workflow Succeeded and 1 otherwise. Interrupted, the workflow's Jobs
go on; kubectl wf watch NAME continues driving it. Nothing is created when the
file has errors. Stored templates it references (templateRef,
workflowTemplateRef) are copied into the workflow when it is created.
--from workflowtemplate/NAME (or clusterworkflowtemplate/NAME) runs a stored
template as a new workflow named NAME-xxxxx, as argo submit --from does.`,
		Example: submitExample,
		Args:    usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.Params.Values, "parameter", "p", nil, "Workflow parameter NAME=VALUE (repeatable)")
	f.StringVarP(&o.Params.File, "parameter-file", "f", "", "YAML or JSON file of workflow parameters")
	f.StringVar(&o.From, "from", "", "Run a stored template: workflowtemplate/NAME or clusterworkflowtemplate/NAME")
	f.StringVar(&o.Name, "name", "", "Workflow name, instead of metadata.name or generateName")
	f.StringVar(&o.GenName, "generate-name", "", "Workflow name prefix, completed with five random characters, instead of metadata.name or generateName")
	f.StringVar(&o.Entrypoint, "entrypoint", "", "Template to start at, instead of spec.entrypoint")
	f.StringVar(&o.Account, "serviceaccount", "", "ServiceAccount the pods run as")
	f.StringVar(&o.DryRun, "dry-run", o.DryRun, `"none", "client" (print what would be created) or "server" (let the server check it, create nothing)`)
	f.BoolVar(&o.Detach, "detach", false, "Return at once, leaving a background kubectl wf process to drive the workflow (--driver=background)")
	f.StringVar(&o.Driver, "driver", driveForeground, `Who drives the workflow: "foreground" (this process), "background" (a detached process) or "none" (kubectl wf watch, later)`)
	f.StringVarP(&o.Output, "output", "o", "", `"name" prints workflow/NAME; "json", "yaml" or "wide" print the workflow as get does once submit is done (progress goes to stderr)`)
	f.BoolVar(&o.NoColor, "no-color", false, "Do not colour status marks (NO_COLOR also turns colour off)")
	addRateFlags(cmd, &o.clientFlags)
	return cmd
}

// Complete records the file.
func (o *SubmitOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.File = args[0]
	}
	return nil
}

// Validate checks the flags.
func (o *SubmitOptions) Validate() error {
	if (o.File == "") == (o.From == "") {
		return usageErrorf("give a FILE, or --from workflowtemplate/NAME")
	}
	if o.From != "" {
		if _, _, err := parseTemplateKindName(o.From); err != nil {
			return usageError{err}
		}
	}
	switch o.DryRun {
	case "none", "client", "server":
	default:
		return usageErrorf(`--dry-run must be "none", "client" or "server", not %q`, o.DryRun)
	}
	switch {
	case o.Detach && o.Driver == driveForeground:
		o.Driver = driveBackground
	case o.Detach:
		return usageErrorf("--detach and --driver=%s exclude each other", o.Driver)
	}
	switch o.Driver {
	case driveForeground, driveBackground, driveNone:
	default:
		return usageErrorf(`--driver must be "foreground", "background" or "none", not %q`, o.Driver)
	}
	if o.Name != "" && o.GenName != "" {
		return usageErrorf("--name and --generate-name exclude each other")
	}
	switch o.Output {
	case "", "name":
	case "json", "yaml", "wide":
		if o.DryRun != "none" {
			return usageErrorf("--output=%s prints the workflow as get does; it needs a workflow, not --dry-run", o.Output)
		}
	default:
		return usageErrorf(`--output must be name, json, yaml or wide, not %q`, o.Output)
	}
	return nil
}

// Run submits and drives.
func (o *SubmitOptions) Run(cmd *cobra.Command) error {
	params, err := o.Params.parse()
	if err != nil {
		return err
	}
	doc, err := o.document()
	if err != nil {
		return err
	}
	if o.DryRun == "client" {
		return (&CompileOptions{Output: "yaml", IOStreams: o.IOStreams, templates: clusterTemplates{&o.clientFlags},
			opts: compile.Options{Name: o.Name, GenerateName: o.GenName, Parameters: params, ServiceAccount: o.Account, Entrypoint: o.Entrypoint}}).runWith(cmd.Context(), doc)
	}
	cs, ns, err := o.client()
	if err != nil {
		return err
	}
	opts := compile.Options{Namespace: ns, Name: o.Name, GenerateName: o.GenName, Parameters: params, ServiceAccount: o.Account, Entrypoint: o.Entrypoint}
	w, _, err := watch.Create(cmd.Context(), cs, doc, opts, o.DryRun == "server")
	if err != nil {
		return err
	}
	// With -o json|yaml|wide, stdout holds the workflow as get prints it
	// at the end; what submit says on the way goes to stderr.
	document := o.Output == "json" || o.Output == "yaml" || o.Output == "wide"
	progress := o.Out
	if document {
		progress = o.ErrOut
	}
	switch {
	case o.Output == "name":
		fmt.Fprintf(o.Out, "workflow/%s\n", w.Name)
	case o.DryRun == "server":
		fmt.Fprintf(o.Out, "workflow/%s created (server dry run)\n", w.Name)
	default:
		fmt.Fprintf(progress, "workflow/%s created\n", w.Name)
	}
	var driveErr error
	switch {
	case o.DryRun == "server":
		return nil
	case o.Driver == driveNone:
		fmt.Fprintf(o.ErrOut, "drive it with: kubectl wf watch %s -n %s\n", w.Name, ns)
	case o.Driver == driveBackground:
		pid, log, err := startBackgroundDriver(cmd, ns, w.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.ErrOut, "driving it in the background (pid %d, log %s); follow it with: kubectl wf watch %s -n %s\n", pid, log, w.Name, ns)
	default:
		res, err := o.resources()
		if err != nil {
			return err
		}
		driveErr = drive(cmd.Context(), cs, res, ns, w.Name, progress, o.ErrOut, o.NoColor)
	}
	if !document {
		return driveErr
	}
	snap, err := watch.Read(cmd.Context(), cs, ns, w.Name)
	if err != nil {
		return err
	}
	get := &GetOptions{IOStreams: o.IOStreams, PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)}
	*get.PrintFlags.OutputFormat = o.Output
	if err := get.print(documentOf(snap), time.Now()); err != nil {
		return err
	}
	return driveErr
}

// addRateFlags adds the client rate-limit flags.
func addRateFlags(cmd *cobra.Command, f *clientFlags) {
	cmd.Flags().Float32Var(&f.QPS, "qps", defaultQPS, "Queries per second to the apiserver")
	cmd.Flags().IntVar(&f.Burst, "burst", defaultBurst, "Burst of queries to the apiserver")
}

// document is the Workflow to submit: the file's one Workflow, linted, or
// the one --from names.
func (o *SubmitOptions) document() (*compile.Document, error) {
	if o.From != "" {
		kind, name, err := parseTemplateKindName(o.From)
		if err != nil {
			return nil, err
		}
		return compile.WorkflowFromTemplate(kind, name), nil
	}
	docs, diags, err := readDocuments([]string{o.File}, o.In)
	if err != nil {
		return nil, err
	}
	diags = append(diags, compile.Lint(docs)...).Sort()
	for _, d := range diags {
		fmt.Fprintln(o.ErrOut, d)
	}
	if diags.HasErrors() {
		return nil, silentError{ExitFailed}
	}
	var doc *compile.Document
	for _, d := range docs {
		if d.Kind == wfv1.KindWorkflow {
			if doc != nil {
				return nil, fmt.Errorf("%s: submit takes one Workflow per file", o.File)
			}
			doc = d
		}
	}
	if doc == nil {
		return nil, fmt.Errorf("%s: no Workflow to submit", o.File)
	}
	return doc, nil
}
