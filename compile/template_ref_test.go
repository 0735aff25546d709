package compile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

const storedTemplates = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: print
spec:
  entrypoint: print-message
  arguments:
    parameters:
    - name: message
      value: from the template
    - name: level
      value: info
  templates:
  - name: print-message
    inputs:
      parameters:
      - name: message
    container:
      image: busybox
      command: [echo, "{{inputs.parameters.message}}"]
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: inner
spec:
  templates:
  - name: hello
    container:
      image: busybox
  - name: steps
    steps:
    - - name: local
        template: hello
      - name: remote
        templateRef: {name: print, template: print-message}
        arguments:
          parameters: [{name: message, value: x}]
    - - name: again
        template: steps
        when: "false"
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata:
  name: print
spec:
  templates:
  - name: print-message
    container:
      image: alpine:3.23
`

func parseTemplates(t *testing.T, src string) DocumentTemplates {
	t.Helper()
	docs, diags := ParseFile("stored.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	return DocumentTemplates(docs)
}

func parseWorkflow(t *testing.T, src string) *Document {
	t.Helper()
	docs, diags := ParseFile("wf.yaml", []byte(src))
	if diags.HasErrors() || len(docs) != 1 {
		t.Fatalf("parse: %v (%d documents)", diags, len(docs))
	}
	return docs[0]
}

// calls lists each template's name and what its steps and tasks call.
func calls(spec wfv1.WorkflowSpec) map[string][]string {
	out := map[string][]string{}
	for _, tmpl := range spec.Templates {
		out[tmpl.Name] = []string{}
		for _, group := range tmpl.Steps {
			for _, s := range group.Steps {
				out[tmpl.Name] = append(out[tmpl.Name], s.Name+"→"+s.Template)
				if s.TemplateRef != nil {
					out[tmpl.Name] = append(out[tmpl.Name], s.Name+" still has a templateRef")
				}
			}
		}
		if tmpl.DAG != nil {
			for _, task := range tmpl.DAG.Tasks {
				out[tmpl.Name] = append(out[tmpl.Name], task.Name+"→"+task.Template)
			}
		}
	}
	return out
}

func TestResolveTemplates(t *testing.T) {
	stored := parseTemplates(t, storedTemplates)
	tests := []struct {
		name string
		wf   string
		want map[string][]string
	}{{
		name: "templateRef in a DAG, nested refs and local names resolved in their own template",
		wf: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: t-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        templateRef: {name: print, template: print-message}
        arguments: {parameters: [{name: message, value: A}]}
      - name: B
        templateRef: {name: inner, template: steps}
      - name: C
        templateRef: {name: print, template: print-message, clusterScope: true}
`,
		want: map[string][]string{
			"main":                {"A→print/print-message", "B→inner/steps", "C→cluster/print/print-message"},
			"print/print-message": {},
			"inner/steps":         {"local→inner/hello", "remote→print/print-message", "again→inner/steps"},
			"inner/hello":         {},
			// The cluster-scoped template of the same name gets its own copy.
			"cluster/print/print-message": {},
		},
	}, {
		name: "a workflow without references is left as it is",
		wf: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: plain}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
`,
		want: map[string][]string{"main": {}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseWorkflow(t, tt.wf)
			before := calls(doc.Spec)
			got, err := ResolveTemplates(context.Background(), doc, stored)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, calls(got.Spec)); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, calls(doc.Spec)); diff != "" {
				t.Errorf("the parsed document changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestResolveTemplatesErrors(t *testing.T) {
	stored := parseTemplates(t, storedTemplates)
	tests := []struct {
		name, ref, want string
	}{
		{"missing WorkflowTemplate", `{name: nope, template: x}`, `wf.yaml:10:9: WorkflowTemplate "nope": not found among the files given`},
		{"missing template", `{name: print, template: nope}`, `wf.yaml:10:9: template "nope" is not defined in WorkflowTemplate "print"`},
		{"missing input", `{name: print, template: print-message}`, `wf.yaml:10:9: template print/print-message needs input parameter "message", which is not passed in arguments`},
		{"no template given", `{name: print}`, `wf.yaml:10:9: templateRef needs both name and template`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseWorkflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: t-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        templateRef: `+tt.ref+"\n")
			_, err := ResolveTemplates(context.Background(), doc, stored)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestJoinWorkflowTemplate(t *testing.T) {
	stored := parseTemplates(t, storedTemplates)
	doc := parseWorkflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: t-}
spec:
  arguments:
    parameters:
    - name: message
      value: from the workflow
  workflowTemplateRef: {name: print}
`)
	got, err := ResolveTemplates(context.Background(), doc, stored)
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.WorkflowTemplateRef != nil {
		t.Error("workflowTemplateRef is still set")
	}
	if got.Spec.Entrypoint != "print-message" {
		t.Errorf("entrypoint = %q, want the template's print-message", got.Spec.Entrypoint)
	}
	var params []string
	for _, p := range got.Spec.Arguments.Parameters {
		params = append(params, p.Name+"="+p.Value.String())
	}
	// The workflow's value wins; the template's other parameters stay.
	if diff := cmp.Diff([]string{"message=from the workflow", "level=info"}, params); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	if _, err := ResolveTemplates(context.Background(), parseWorkflow(t, strings.Replace(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: t-}
spec:
  workflowTemplateRef: {name: NAME}
`, "NAME", "gone", 1)), stored); !errors.Is(err, ErrTemplateNotFound) {
		t.Errorf("missing template: error = %v, want ErrTemplateNotFound", err)
	}
}
