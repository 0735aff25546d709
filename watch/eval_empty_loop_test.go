package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestEmptyLoopIsSkipped: a loop over no items is one Skipped node with
// Argo's "Skipped, empty params", in steps and in a DAG, where depends
// then reads it as Skipped: a bare name holds, .Succeeded does not.
func TestEmptyLoopIsSkipped(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: t}
    - - name: none
        template: echo
        withParam: "{{steps.gen.outputs.result}}"
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
    - - {name: dag, template: dag}
  - name: dag
    dag:
      tasks:
      - name: none
        template: echo
        withItems: []
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
      - {name: after-any, template: t, depends: none}
      - {name: after-succeeded, template: t, depends: none.Succeeded}
      - {name: after-skipped, template: t, depends: none.Skipped}
  - name: t
    container: {image: busybox}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`)
	status, rounds := simulate(t, w, func(string, []string) PodResult { return succeed("[]") })
	type seen struct{ Type, Phase, Message string }
	got := map[string]seen{}
	for _, name := range []string{"WF[1].none", "WF[2].dag.none", "WF[2].dag.after-any", "WF[2].dag.after-succeeded", "WF[2].dag.after-skipped"} {
		full := names(w, name)[0]
		if n := status.Nodes[compile.NodeID(w.Name, full)]; n != nil {
			got[name] = seen{n.Type, string(n.Phase), n.Message}
		}
	}
	want := map[string]seen{
		"WF[1].none":                {"Skipped", "Skipped", "Skipped, empty params"},
		"WF[2].dag.none":            {"Skipped", "Skipped", "Skipped, empty params"},
		"WF[2].dag.after-any":       {"Pod", "Succeeded", ""},
		"WF[2].dag.after-succeeded": {"Skipped", "Omitted", "omitted: depends condition not met"},
		"WF[2].dag.after-skipped":   {"Pod", "Succeeded", ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("nodes (-want +got):\n%s", d)
	}
	if status.Phase != Succeeded || len(rounds) != 2 {
		t.Errorf("phase %s after %d rounds %v; want Succeeded after gen and the DAG's two tasks", status.Phase, len(rounds), rounds)
	}
}

// TestFailedTaskGroupHasNoMessage: Argo marks a TaskGroup's phase only,
// where a StepGroup also says which child failed.
func TestFailedTaskGroupHasNoMessage(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: L, template: t, withItems: [a, b]}
  - name: t
    container: {image: busybox}
`)
	status, _ := simulate(t, w, func(node string, _ []string) PodResult {
		if node == "wf.L(1:b)" {
			return exitWith(1)
		}
		return succeed("")
	})
	group := status.Nodes[compile.NodeID(w.Name, "wf.L")]
	if group == nil || group.Type != "TaskGroup" || group.Phase != Failed || group.Message != "" {
		t.Errorf("group = %+v, want a Failed TaskGroup without a message", group)
	}
}
