package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

const lintExample = `  # Check a workflow before submitting it
  kubectl wf lint hello-world.yaml

  # Check every workflow in a folder, for a CI job
  kubectl wf lint ./workflows/

  # Read from standard input; print problems as JSON for tools
  cat wf.yaml | kubectl wf lint - -o json`

// LintOptions are the inputs of `kubectl wf lint`.
type LintOptions struct {
	Files  []string
	Output string
	genericiooptions.IOStreams
}

// NewCmdLint checks workflow files offline.
func NewCmdLint(streams genericiooptions.IOStreams) *cobra.Command {
	o := &LintOptions{IOStreams: streams, Output: "text"}
	cmd := &cobra.Command{
		Use:   "lint FILE|DIR|- ...",
		Short: "Check workflow files offline, with file:line:col for every problem",
		Long: `Check Workflow and WorkflowTemplate files without a cluster: their YAML, their
references between templates, steps and tasks, DAG cycles, {{…}} variables,
required parameters, and every Argo field kubectl-wf does not support yet.
Each problem is one line, file:line:col: message. Exits 1 when any is an error;
warnings (fields that change nothing in the result) do not fail.`,
		Example: lintExample,
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
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete takes the files from the arguments.
func (o *LintOptions) Complete(args []string) error {
	o.Files = args
	return nil
}

// Validate checks the flags.
func (o *LintOptions) Validate() error {
	if o.Output != "text" && o.Output != "json" {
		return usageErrorf("--output must be text or json, not %q", o.Output)
	}
	return nil
}

// Run lints the files and reports.
func (o *LintOptions) Run() error {
	docs, diags, err := readDocuments(o.Files, o.In)
	if err != nil {
		return err
	}
	diags = append(diags, compile.Lint(docs)...).Sort()
	if o.Output == "json" {
		if diags == nil {
			diags = compile.Diagnostics{}
		}
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(diags); err != nil {
			return err
		}
	} else {
		for _, d := range diags {
			fmt.Fprintln(o.Out, d)
		}
		if !diags.HasErrors() {
			fmt.Fprintf(o.ErrOut, "%d workflow document(s) checked: no errors\n", len(docs))
		}
	}
	if diags.HasErrors() {
		return silentError{ExitFailed}
	}
	return nil
}
