package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

const compileExample = `  # Show the Jobs and ConfigMaps a workflow becomes
  kubectl wf compile hello-world.yaml

  # With a parameter, into a namespace, as JSON
  kubectl wf compile steps.yaml -p message=hi -n team-a -o json

  # The node plan: which Jobs exist up front, which wait for run-time values
  kubectl wf compile dag-diamond.yaml -o wide

  # A workflow whose templateRefs name WorkflowTemplates of another file
  kubectl wf compile dag.yaml templates.yaml`

// CompileOptions are the inputs of `kubectl wf compile`.
type CompileOptions struct {
	configFlags *genericclioptions.ConfigFlags
	Files       []string
	Output      string
	Params      parameterFlags
	Name        string
	Entrypoint  string
	Account     string

	namespace string
	opts      compile.Options
	// templates serve templateRef and workflowTemplateRef: the files'
	// WorkflowTemplates when nil.
	templates compile.TemplateSource
	genericiooptions.IOStreams
}

// NewCmdCompile prints what a workflow lowers to, without a cluster.
func NewCmdCompile(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CompileOptions{configFlags: configFlags, IOStreams: streams, Output: "yaml"}
	cmd := &cobra.Command{
		Use:   "compile FILE|- [TEMPLATE-FILE...]",
		Short: "Print the Jobs and ConfigMaps a workflow lowers to",
		Long: `Print, as multi-document YAML (or JSON), exactly the objects that submitting
would create up front: the workflow object and one Job (plus a ConfigMap for a
script) per node that needs no run-time value. Nodes that wait for outputs of
other nodes, a when condition or a resource action are listed in a comment
(and by -o wide). Output is sorted and stable, for review and GitOps diffs.
ownerReferences are added at submit, once the workflow object has a UID.
Compiling needs no cluster: the files must hold exactly one Workflow, and the
WorkflowTemplates its templateRef and workflowTemplateRef name.`,
		Example: compileExample,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", o.Output, "Output format: yaml, json, name or wide (the node plan)")
	f.StringArrayVarP(&o.Params.Values, "parameter", "p", nil, "Workflow parameter NAME=VALUE (repeatable)")
	f.StringVarP(&o.Params.File, "parameter-file", "f", "", "YAML or JSON file of workflow parameters")
	f.StringVar(&o.Name, "name", "", "Workflow name, instead of metadata.name or generateName")
	f.StringVar(&o.Entrypoint, "entrypoint", "", "Template to start at, instead of spec.entrypoint")
	f.StringVar(&o.Account, "serviceaccount", "", "ServiceAccount the pods run as")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"yaml", "json", "name", "wide"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete resolves the namespace and parameters.
func (o *CompileOptions) Complete(args []string) error {
	o.Files = args
	ns, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return err
	}
	o.namespace = ns
	params, err := o.Params.parse()
	if err != nil {
		return err
	}
	o.opts = compile.Options{Namespace: ns, Name: o.Name, Parameters: params, ServiceAccount: o.Account, Entrypoint: o.Entrypoint}
	return nil
}

// Validate checks the flags.
func (o *CompileOptions) Validate() error {
	switch o.Output {
	case "yaml", "json", "name", "wide":
		return nil
	}
	return usageErrorf("--output must be yaml, json, name or wide, not %q", o.Output)
}

// Run compiles the file's workflow and prints it.
func (o *CompileOptions) Run() error {
	plan, err := planFiles(context.Background(), o.Files, o.In, o.opts, o.templates, o.ErrOut)
	if err != nil {
		return err
	}
	return o.print(plan)
}

// runWith compiles a Workflow document already read and linted.
func (o *CompileOptions) runWith(ctx context.Context, doc *compile.Document) error {
	doc, err := compile.ResolveTemplates(ctx, doc, o.templates)
	if err != nil {
		return err
	}
	w, err := compile.NewWorkflow(doc, o.opts)
	if err != nil {
		return err
	}
	plan, err := compile.Compile(w)
	if err != nil {
		return err
	}
	return o.print(plan)
}

func (o *CompileOptions) print(plan *compile.Plan) error {
	if o.Output == "wide" {
		return printPlan(o.Out, plan)
	}
	objs, err := plan.Objects()
	if err != nil {
		return err
	}
	return printObjects(o.Out, o.Output, objs, plan)
}

// planFiles reads, lints and compiles the single Workflow of files, with
// the references it makes resolved in templates, or else among the files.
// Lint problems are printed to errOut; errors stop it.
func planFiles(ctx context.Context, files []string, in io.Reader, opts compile.Options, templates compile.TemplateSource, errOut io.Writer) (*compile.Plan, error) {
	docs, diags, err := readDocuments(files, in)
	if err != nil {
		return nil, err
	}
	diags = append(diags, compile.Lint(docs)...).Sort()
	for _, d := range diags {
		fmt.Fprintln(errOut, d)
	}
	if diags.HasErrors() {
		return nil, silentError{ExitFailed}
	}
	var workflows []*compile.Document
	for _, d := range docs {
		if d.Kind == wfv1.KindWorkflow {
			workflows = append(workflows, d)
		}
	}
	if len(workflows) != 1 {
		return nil, fmt.Errorf("%s: want exactly one Workflow document, found %d", strings.Join(files, ", "), len(workflows))
	}
	if templates == nil {
		templates = compile.DocumentTemplates(docs)
	}
	doc, err := compile.ResolveTemplates(ctx, workflows[0], templates)
	if err != nil {
		return nil, err
	}
	w, err := compile.NewWorkflow(doc, opts)
	if err != nil {
		return nil, err
	}
	return compile.Compile(w)
}

func printObjects(out io.Writer, format string, objs []runtime.Object, plan *compile.Plan) error {
	switch format {
	case "name":
		p := &printers.NamePrinter{}
		for _, obj := range objs {
			if err := p.PrintObj(obj, out); err != nil {
				return err
			}
		}
		return nil
	case "json":
		list := &corev1.List{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}}
		for _, obj := range objs {
			list.Items = append(list.Items, runtime.RawExtension{Object: obj})
		}
		return (&printers.JSONPrinter{}).PrintObj(list, out)
	}
	if deferred := deferredNodes(plan); len(deferred) > 0 {
		fmt.Fprintf(out, "# Nodes lowered at run time (not below):\n")
		for _, n := range deferred {
			fmt.Fprintf(out, "#   %s (%s, template %s): %s\n", n.Name, n.Type, n.Template, n.Deferred)
		}
	}
	p := &printers.YAMLPrinter{}
	for _, obj := range objs {
		if err := p.PrintObj(obj, out); err != nil {
			return err
		}
	}
	return nil
}

func deferredNodes(plan *compile.Plan) []compile.PlannedNode {
	var out []compile.PlannedNode
	for _, n := range plan.Nodes {
		if n.Deferred != "" {
			out = append(out, n)
		}
	}
	return out
}

// printPlan prints the node plan as a table.
func printPlan(out io.Writer, plan *compile.Plan) error {
	tw := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tTYPE\tTEMPLATE\tJOB\tAT RUN TIME")
	for _, n := range plan.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", n.Name, n.Type, n.Template, dash(n.Job), dash(n.Deferred))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
