package compile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Argo's docs show these node names with the pod names (v1 naming: the node
// ID) that Argo gave them, so the hash must match Argo's exactly.
func TestNodeIDMatchesArgo(t *testing.T) {
	tests := []struct {
		workflow, node, want string
	}{
		{"steps-z2zdn", "steps-z2zdn[0].hello1", "steps-z2zdn-27420706"},
		{"steps-z2zdn", "steps-z2zdn[1].hello2a", "steps-z2zdn-2006760091"},
		{"steps-z2zdn", "steps-z2zdn[1].hello2b", "steps-z2zdn-2023537710"},
		{"steps-z2zdn", "steps-z2zdn", "steps-z2zdn"},
	}
	for _, tt := range tests {
		if got := NodeID(tt.workflow, tt.node); got != tt.want {
			t.Errorf("NodeID(%q, %q) = %q, want %q", tt.workflow, tt.node, got, tt.want)
		}
	}
}

func TestJobName(t *testing.T) {
	long := strings.Repeat("w", 60)
	tests := []struct {
		name, workflow, template, node, want string
	}{
		{"root node is the workflow", "hello", "main", "hello", "hello"},
		{"step", "steps-z2zdn", "print-message", "steps-z2zdn[0].hello1", "steps-z2zdn-print-message-27420706"},
		{"upper-case template", "wf", "Print", "wf.A", "wf-print-" + hashOf("wf.A")},
		{"template of a WorkflowTemplate", "wf", "shared/say", "wf.A", "wf-say-" + hashOf("wf.A")},
		{"template of a ClusterWorkflowTemplate", "wf", "cluster/shared/say", "wf.A", "wf-say-" + hashOf("wf.A")},
		{"long names are cut to 63", long, "template", long + ".A", strings.Repeat("w", 62-len(hashOf(long+".A"))) + "-" + hashOf(long+".A")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JobName(tt.workflow, tt.template, tt.node)
			if got != tt.want {
				t.Errorf("JobName = %q, want %q", got, tt.want)
			}
			if len(got) > maxJobName {
				t.Errorf("JobName %q is %d characters, over %d", got, len(got), maxJobName)
			}
		})
	}
}

func hashOf(node string) string {
	n := NodeID("x", node)
	return n[2:]
}

func TestLoopNodeName(t *testing.T) {
	if got, want := LoopNodeName("wf[0].echo", 1, "b(c)"), "wf[0].echo(1:bc)"; got != want {
		t.Errorf("LoopNodeName = %q, want %q", got, want)
	}
}

// TestLongGenerateNameIsCut: the apiserver cuts a generateName longer than
// 58 characters before adding its five; so does kubectl-wf (Argo's
// global-parameters-from-configmap-referenced-as-local-variable example).
func TestLongGenerateNameIsCut(t *testing.T) {
	base := "global-parameter-from-configmap-referenced-as-local-variable-"
	docs, diags := ParseFile("wf.yaml", []byte("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: "+base+"}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: busybox}\n"))
	if diags = append(diags, Lint(docs)...); diags.HasErrors() {
		t.Fatal(diags)
	}
	w, err := NewWorkflow(docs[0], Options{Namespace: "ns", GenerateSuffix: "abcde"})
	if err != nil {
		t.Fatal(err)
	}
	if want := base[:58] + "abcde"; w.Name != want {
		t.Errorf("name %q, want %q", w.Name, want)
	}
}

// TestWorkflowMetadata: labels, annotations and labelsFrom (an expression
// over the workflow's variables) go on the workflow object.
func TestWorkflowMetadata(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf, labels: {team: a}}
spec:
  entrypoint: main
  arguments: {parameters: [{name: foo, value: bar}]}
  workflowMetadata:
    labels: {kind: demo}
    annotations: {note: hi}
    labelsFrom:
      foo: {expression: workflow.parameters.foo}
  templates:
  - name: main
    container: {image: busybox}
`
	docs, diags := ParseFile("wf.yaml", []byte(src))
	if diags = append(diags, Lint(docs)...); diags.HasErrors() {
		t.Fatal(diags)
	}
	w, err := NewWorkflow(docs[0], Options{Namespace: "ns", Parameters: map[string]string{"foo": "baz"}})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := w.WorkflowObject()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"team": "a", "kind": "demo", "foo": "baz"} {
		if obj.Labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, obj.Labels[k], want)
		}
	}
	if obj.Annotations["note"] != "hi" {
		t.Errorf("annotations %v", obj.Annotations)
	}
}

// TestLoopLocal: a looped step's or task's item is named NAME(i:item) in
// {{steps.name}} or {{tasks.name}}, as Argo names the expanded step.
func TestLoopLocal(t *testing.T) {
	tests := []struct {
		local Vars
		i     int
		label string
		want  Vars
	}{
		{Vars{"steps.name": "fanout"}, 0, "k:alpha,v:1", Vars{"steps.name": "fanout(0:k:alpha,v:1)"}},
		{Vars{"tasks.name": "c-loop"}, 2, "z", Vars{"tasks.name": "c-loop(2:z)"}},
		{Vars{}, 1, "x", Vars{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, LoopLocal(tt.local, tt.i, tt.label)); diff != "" {
			t.Errorf("LoopLocal(%v, %d, %q) (-want +got):\n%s", tt.local, tt.i, tt.label, diff)
		}
	}
}
