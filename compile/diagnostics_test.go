package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lintHead starts the workflow of a lint case; the case's body goes on
// with the rest of spec.
const lintHead = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  entrypoint: main\n"

// checkDiagnostics parses src as f.yaml, lints it when it parsed without
// errors (as kubectl-wf does), and diffs the diagnostics, each as
// "f.yaml:LINE:COL: message", with want.
func checkDiagnostics(t *testing.T, src string, want []string) {
	t.Helper()
	docs, diags := ParseFile("f.yaml", []byte(src))
	if !diags.HasErrors() {
		diags = append(diags, Lint(docs)...)
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}
