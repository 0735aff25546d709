package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/scheme"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// templateKind describes one of the two stored template kinds for the
// commands that manage them: `template` and `cluster-template`.
type templateKind struct {
	Kind    string // wfv1.KindWorkflowTemplate or KindClusterWorkflowTemplate
	Command string // the command's name
	Short   string // the kind as -o name prints it
}

var (
	workflowTemplateKind = templateKind{wfv1.KindWorkflowTemplate, "template", "workflowtemplate"}
	clusterTemplateKind  = templateKind{wfv1.KindClusterWorkflowTemplate, "cluster-template", "clusterworkflowtemplate"}
)

// parseTemplateKindName reads submit --from's KIND/NAME, with Argo's
// short kind names.
func parseTemplateKindName(s string) (kind, name string, err error) {
	k, name, ok := strings.Cut(s, "/")
	if !ok || name == "" {
		return "", "", fmt.Errorf("--from must be KIND/NAME, as workflowtemplate/my-template, not %q", s)
	}
	switch strings.ToLower(k) {
	case "workflowtemplate", "workflowtemplates", "wftmpl":
		return wfv1.KindWorkflowTemplate, name, nil
	case "clusterworkflowtemplate", "clusterworkflowtemplates", "cwftmpl", "cwf":
		return wfv1.KindClusterWorkflowTemplate, name, nil
	case "cronworkflow", "cronwf":
		return "", "", fmt.Errorf("--from %s: CronWorkflows are not supported; schedule `kubectl wf submit --from workflowtemplate/NAME` from a native CronJob (docs/compat.md)", s)
	}
	return "", "", fmt.Errorf("--from %s: kind must be workflowtemplate or clusterworkflowtemplate", s)
}

// clusterTemplates reads stored templates with the command's client,
// built on first use, so that a workflow without references needs none.
type clusterTemplates struct{ f *clientFlags }

func (c clusterTemplates) WorkflowTemplate(ctx context.Context, name string, clusterScope bool) (*wfv1.WorkflowTemplate, error) {
	cs, ns, err := c.f.client()
	if err != nil {
		return nil, err
	}
	return watch.Templates{Client: cs, Namespace: ns}.WorkflowTemplate(ctx, name, clusterScope)
}

// NewCmdTemplate manages WorkflowTemplates, as `argo template` does.
func NewCmdTemplate(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdTemplates(workflowTemplateKind, configFlags, streams,
		"Manage WorkflowTemplates, stored as ConfigMaps of the namespace",
		`WorkflowTemplates are stored without a CRD, as ConfigMaps named
workflowtemplate.NAME labelled kubectl-wf.dev/role=workflow-template, in the
namespace. Workflows refer to them with templateRef or workflowTemplateRef, and
kubectl wf submit --from workflowtemplate/NAME runs one.`)
}

// NewCmdClusterTemplate manages ClusterWorkflowTemplates, as `argo
// cluster-template` does.
func NewCmdClusterTemplate(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdTemplates(clusterTemplateKind, configFlags, streams,
		"Manage ClusterWorkflowTemplates, stored in the "+compile.ClusterTemplateNamespace+" namespace",
		`ClusterWorkflowTemplates are stored without a CRD, as ConfigMaps named
clusterworkflowtemplate.NAME in the namespace `+compile.ClusterTemplateNamespace+`,
which the first create makes. Workflows of every namespace refer to them with
templateRef or workflowTemplateRef and clusterScope: true; whoever submits such
a workflow needs to read ConfigMaps of that namespace (see docs/rbac.md).`)
}

func newCmdTemplates(k templateKind, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams, short, long string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   k.Command,
		Short: short,
		Long:  long,
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("give a subcommand: create, get, list, delete or lint")
		},
	}
	cmd.AddCommand(
		newCmdTemplateCreate(k, configFlags, streams),
		newCmdTemplateGet(k, configFlags, streams),
		newCmdTemplateList(k, configFlags, streams),
		newCmdTemplateDelete(k, configFlags, streams),
		newCmdTemplateLint(k, streams),
	)
	return cmd
}

// readTemplates reads and lints files that must hold templates of kind k
// only; lint problems go to errOut.
func readTemplates(k templateKind, files []string, in io.Reader, errOut io.Writer) ([]*compile.Document, error) {
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
	for _, d := range docs {
		if d.Kind != k.Kind {
			return nil, fmt.Errorf("%s: %s %q is not a %s; kubectl wf %s takes %ss only", d.Start, d.Kind, d.Name(), k.Kind, k.Command, k.Kind)
		}
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%s: no %s found", strings.Join(files, ", "), k.Kind)
	}
	return docs, nil
}

func newCmdTemplateCreate(k templateKind, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	var update bool
	var output string
	cmd := &cobra.Command{
		Use:   "create FILE|DIR|- ...",
		Short: "Lint and store " + k.Kind + "s",
		Long: `Lint every file, then store each ` + k.Kind + ` in it. Nothing is stored when any
file has errors. A template that exists already is an error, unless --update.`,
		Example: fmt.Sprintf("  kubectl wf %s create templates.yaml\n  kubectl wf %s create --update ./templates/", k.Command, k.Command),
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "" && output != "name" {
				return usageErrorf(`--output must be "name", not %q`, output)
			}
			docs, err := readTemplates(k, args, streams.In, streams.ErrOut)
			if err != nil {
				return err
			}
			cs, ns, err := f.client()
			if err != nil {
				return err
			}
			store := watch.Templates{Client: cs, Namespace: ns}
			for _, doc := range docs {
				if _, err := store.Create(cmd.Context(), doc, update); err != nil {
					return err
				}
				if output == "name" {
					fmt.Fprintf(streams.Out, "%s/%s\n", k.Short, doc.Metadata.Name)
				} else {
					fmt.Fprintf(streams.Out, "%s/%s %s\n", k.Short, doc.Metadata.Name, map[bool]string{false: "created", true: "configured"}[update])
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&update, "update", false, "Replace templates that exist")
	cmd.Flags().StringVarP(&output, "output", "o", "", `"name" prints KIND/NAME`)
	addRateFlags(cmd, f)
	return cmd
}

func newCmdTemplateGet(k templateKind, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	printFlags := genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)
	cmd := &cobra.Command{
		Use:               "get NAME",
		ValidArgsFunction: completeTemplates(k, f, 1),
		Short:             "Show a stored " + k.Kind,
		Long: `Show a stored template as argo template get does: its name, namespace, age,
entrypoint, templates and parameters; -o yaml or json print the template as
it was written, -o wide its row of list -o wide, -o name KIND/NAME.`,
		Example: fmt.Sprintf("  kubectl wf %s get my-template\n  kubectl wf %s get my-template -o yaml", k.Command, k.Command),
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			output := *printFlags.OutputFormat
			if !knownFormat(printFlags, output, "wide") {
				return usageErrorf("--output must be one of name, wide, %s, not %q", strings.Join(printFlags.AllowedFormats(), ", "), output)
			}
			cs, ns, err := f.client()
			if err != nil {
				return err
			}
			t, err := watch.Templates{Client: cs, Namespace: ns}.Get(cmd.Context(), k.Kind, args[0])
			if err != nil {
				return fmt.Errorf("%s %q: %w", k.Kind, args[0], err)
			}
			switch output {
			case "":
				printTemplate(streams.Out, t, time.Now())
				return nil
			case "name":
				fmt.Fprintf(streams.Out, "%s/%s\n", k.Short, t.Name)
				return nil
			case "wide":
				printTemplateTable(streams.Out, []*wfv1.WorkflowTemplate{t}, true, time.Now())
				return nil
			}
			return printDocument(printFlags, storedTemplate(k, t), streams.Out)
		},
	}
	printFlags.AddFlags(cmd)
	addRateFlags(cmd, f)
	return cmd
}

// storedTemplate is a template as the user wrote it, for -o yaml|json:
// the ConfigMap's identity is not the template's.
func storedTemplate(k templateKind, t *wfv1.WorkflowTemplate) *wfv1.WorkflowTemplate {
	out := *t
	out.TypeMeta = metav1.TypeMeta{APIVersion: wfv1.APIVersion, Kind: k.Kind}
	out.UID, out.ResourceVersion = "", ""
	if k.Kind == wfv1.KindClusterWorkflowTemplate {
		out.Namespace = ""
	}
	return &out
}

// printTemplate prints what `argo template get` shows: the template's
// identity, then what a workflow can call in it.
func printTemplate(out io.Writer, t *wfv1.WorkflowTemplate, now time.Time) {
	tw := tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
	line := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	line("Name", t.Name)
	if t.Namespace != compile.ClusterTemplateNamespace {
		line("Namespace", t.Namespace)
	}
	line("Created", fmt.Sprintf("%s (%s ago)", t.CreationTimestamp.Format("Mon Jan 02 15:04:05 -0700"), duration.HumanDuration(now.Sub(t.CreationTimestamp.Time))))
	if t.Spec.Entrypoint != "" {
		line("Entrypoint", t.Spec.Entrypoint)
	}
	var names []string
	for _, tmpl := range t.Spec.Templates {
		names = append(names, tmpl.Name)
	}
	line("Templates", strings.Join(names, ", "))
	_ = tw.Flush()
	if len(t.Spec.Arguments.Parameters) > 0 {
		fmt.Fprintln(out, "Parameters:")
		for _, p := range t.Spec.Arguments.Parameters {
			v := ""
			if p.Value != nil {
				v = p.Value.String()
			}
			fmt.Fprintf(tw, "  %s:\t%s\n", p.Name, v)
		}
		_ = tw.Flush()
	}
}

func newCmdTemplateList(k templateKind, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	printFlags := genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List stored " + k.Kind + "s",
		Long: `List the stored templates of the namespace (or the cluster's, for
cluster-template) by name with their age; -o wide adds their entrypoint and
number of templates, -o name prints KIND/NAME, -o yaml or json the templates.`,
		Example: fmt.Sprintf("  kubectl wf %s list\n  kubectl wf %s list -o name", k.Command, k.Command),
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			output := *printFlags.OutputFormat
			if !knownFormat(printFlags, output, "wide") {
				return usageErrorf("--output must be one of name, wide, %s, not %q", strings.Join(printFlags.AllowedFormats(), ", "), output)
			}
			cs, ns, err := f.client()
			if err != nil {
				return err
			}
			list, err := watch.Templates{Client: cs, Namespace: ns}.List(cmd.Context(), k.Kind)
			if err != nil {
				return err
			}
			switch output {
			case "name":
				for _, t := range list {
					fmt.Fprintf(streams.Out, "%s/%s\n", k.Short, t.Name)
				}
				return nil
			case "", "wide":
				printTemplateTable(streams.Out, list, output == "wide", time.Now())
				return nil
			}
			items := make([]any, len(list))
			for i, t := range list {
				items[i] = storedTemplate(k, t)
			}
			return printDocument(printFlags, map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, streams.Out)
		},
	}
	printFlags.AddFlags(cmd)
	addRateFlags(cmd, f)
	return cmd
}

func printTemplateTable(out io.Writer, list []*wfv1.WorkflowTemplate, wide bool, now time.Time) {
	tw := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	header := "NAME\tAGE"
	if wide {
		header += "\tENTRYPOINT\tTEMPLATES"
	}
	fmt.Fprintln(tw, header)
	for _, t := range list {
		row := t.Name + "\t" + duration.HumanDuration(now.Sub(t.CreationTimestamp.Time))
		if wide {
			row += fmt.Sprintf("\t%s\t%d", dash(t.Spec.Entrypoint), len(t.Spec.Templates))
		}
		fmt.Fprintln(tw, row)
	}
	_ = tw.Flush()
}

func newCmdTemplateDelete(k templateKind, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	var all bool
	cmd := &cobra.Command{
		Use:               "delete NAME... | --all",
		ValidArgsFunction: completeTemplates(k, f, -1),
		Short:             "Delete stored " + k.Kind + "s",
		Long:              "Delete stored templates. Workflows already created keep the copies they took at submit.",
		Example:           fmt.Sprintf("  kubectl wf %s delete my-template\n  kubectl wf %s delete --all", k.Command, k.Command),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) > 0) == all {
				return usageErrorf("give template names, or --all")
			}
			cs, ns, err := f.client()
			if err != nil {
				return err
			}
			store := watch.Templates{Client: cs, Namespace: ns}
			names := args
			if all {
				list, err := store.List(cmd.Context(), k.Kind)
				if err != nil {
					return err
				}
				for _, t := range list {
					names = append(names, t.Name)
				}
			}
			for _, name := range names {
				if err := store.Delete(cmd.Context(), k.Kind, name); err != nil {
					return err
				}
				fmt.Fprintf(streams.Out, "%s/%s deleted\n", k.Short, name)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "Delete every stored "+k.Kind)
	addRateFlags(cmd, f)
	return cmd
}

func newCmdTemplateLint(k templateKind, streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE|DIR|- ...",
		Short: "Check " + k.Kind + " files offline, with file:line:col for every problem",
		Long: `Check template files without a cluster, as kubectl wf lint does, and that
they hold templates of this command's kind only. Exits 1 when any has errors.`,
		Example: fmt.Sprintf("  kubectl wf %s lint templates.yaml", k.Command),
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			docs, err := readTemplates(k, args, streams.In, streams.Out)
			if err != nil {
				return err
			}
			fmt.Fprintf(streams.ErrOut, "%d %s document(s) checked: no errors\n", len(docs), k.Kind)
			return nil
		},
	}
}
