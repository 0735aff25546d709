package watch

import (
	"slices"
	"strings"
	"testing"
)

// TestDAGTarget: only the targets and what they depend on run, as in
// Argo's dag-targets example.
func TestDAGTarget(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  arguments: {parameters: [{name: target, value: E}]}
  templates:
  - name: main
    dag:
      target: "{{workflow.parameters.target}}"
      tasks:
      - {name: A, template: echo}
      - {name: B, template: echo, dependencies: [A]}
      - {name: C, template: echo, dependencies: [A]}
      - {name: D, template: echo, dependencies: [B, C]}
      - {name: E, template: echo, dependencies: [C]}
  - name: echo
    container: {image: busybox, command: ["true"]}
`
	for target, want := range map[string][]string{"E": {"A", "C", "E"}, "B E": {"A", "B", "C", "E"}, "D": {"A", "B", "C", "D"}} {
		w := workflow(t, strings.Replace(src, "value: E}", "value: \""+target+"\"}", 1))
		var ran []string
		status, _ := simulate(t, w, func(node string, _ []string) PodResult {
			ran = append(ran, strings.TrimPrefix(node, "wf."))
			return succeed("")
		})
		slices.Sort(ran)
		if status.Phase != Succeeded || !slices.Equal(ran, want) {
			t.Errorf("target %q: %s, ran %v, want %v", target, status.Phase, ran, want)
		}
	}
	w := workflow(t, strings.Replace(src, "value: E}", "value: Z}", 1))
	if status, _ := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: t0}); status.Phase != Error || !strings.Contains(status.Message, `target "Z" is not a task`) {
		t.Errorf("unknown target: %s %q", status.Phase, status.Message)
	}
}
