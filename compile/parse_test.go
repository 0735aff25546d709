package compile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"
)

func TestParseFileDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "second document has absolute line numbers",
			yaml: "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: a}\nspec: {entrypoint: x}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: b}\nspec:\n  entrypont: x\n",
			want: []string{`f.yaml:10:3: unknown field "entrypont" in spec (WorkflowSpec); did you mean "entrypoint"?`},
		},
		{
			name: "a bare list document is an error, not a panic",
			yaml: "- ",
			want: []string{"f.yaml:1:1: a document must be a mapping with apiVersion and kind, not a list"},
		},
		{
			name: "wrong scalar type",
			yaml: "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  activeDeadlineSeconds: two\n",
			want: []string{`f.yaml:4:26: spec.activeDeadlineSeconds: must be an integer, not str "two"`},
		},
		{
			name: "a number too big for its field is reported where it is",
			yaml: "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n  - name: a\n    container: {image: x, ports: [{containerPort: 99999999999}]}\n",
			want: []string{"f.yaml:6:51: spec.templates[0].container.ports[0].containerPort: 99999999999 does not fit in int32"},
		},
		{
			name: "unsupported field is named with its path",
			yaml: "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n  - name: a\n    resourceClaims: [{name: gpu}]\n",
			want: []string{"f.yaml:6:5: not supported: spec.templates[0].resourceClaims: dynamic resource claims are not supported yet"},
		},
		{
			name: "ignored field is a warning",
			yaml: "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  priority: 3\n",
			want: []string{"f.yaml:4:3: warning: not supported: spec.priority: priority orders Argo's controller queue; kubectl-wf has no queue"},
		},
		{
			name: "syntax error",
			yaml: "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  entrypoint: [a\n",
			want: []string{"f.yaml:4:1: YAML syntax error: did not find expected ',' or ']'"},
		},
		{
			name: "other kinds are skipped with a warning",
			yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			want: []string{`f.yaml:1:1: warning: skipped ConfigMap "c": not an argoproj.io/v1alpha1 object`},
		},
		{
			name: "CronWorkflow names the native alternative",
			yaml: "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\n",
			want: []string{"f.yaml:2:7: not supported: kind CronWorkflow: schedule `kubectl wf submit --from workflowtemplate/NAME` from a native batch/v1 CronJob instead (see docs/compat.md)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := ParseFile("f.yaml", []byte(tt.yaml))
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseFileValues(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: v-}
spec:
  entrypoint: main
  arguments:
    parameters:
    - {name: count, value: 3}
    - {name: flag, value: true}
    - {name: text, value: "3"}
  templates:
  - &tmpl
    name: main
    container: {image: busybox}
`
	docs, diags := ParseFile("v.yaml", []byte(src))
	if len(diags) > 0 || len(docs) != 1 {
		t.Fatalf("ParseFile: %d docs, diagnostics %v", len(docs), diags)
	}
	var got []string
	for _, p := range docs[0].Spec.Arguments.Parameters {
		got = append(got, p.Name+"="+p.Value.String())
	}
	if d := cmp.Diff([]string{"count=3", "flag=true", "text=3"}, got); d != "" {
		t.Errorf("parameters (-want +got):\n%s", d)
	}
	if p := docs[0].Pos("spec.templates[0].container.image"); p.Line != 14 {
		t.Errorf("Pos(image) = %v, want line 14", p)
	}
}

// FuzzParseFile feeds the parser (and, when a document parses, lint and the
// compiler) arbitrary bytes: nothing may panic, and every compiled object
// must serialize.
func FuzzParseFile(f *testing.F) {
	seeds, _ := filepath.Glob("../fixtures/*.yaml")
	invalid, _ := filepath.Glob("../fixtures/invalid/*.yaml")
	for _, file := range append(seeds, invalid...) {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("- "))
	f.Add([]byte("a: &x [*x]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, diags := ParseFile("fuzz.yaml", data)
		for _, d := range diags {
			if d.Pos.Line < 1 || !strings.HasPrefix(d.String(), "fuzz.yaml:") {
				t.Fatalf("diagnostic without a position: %v", d)
			}
		}
		if diags.HasErrors() || Lint(docs).HasErrors() {
			return
		}
		for _, doc := range docs {
			w, err := NewWorkflow(doc, Options{Namespace: "ns"})
			if err != nil {
				continue
			}
			plan, err := Compile(w)
			if err != nil {
				continue
			}
			objs, err := plan.Objects()
			if err != nil {
				t.Fatalf("Objects: %v", err)
			}
			for _, obj := range objs {
				if _, err := sigsyaml.Marshal(obj); err != nil {
					t.Fatalf("marshal %T: %v", obj, err)
				}
			}
		}
	})
}
