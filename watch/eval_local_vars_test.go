package watch

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestStepsAndTasksName: a template called by a step or a task gets that
// step's or task's name as {{steps.name}} or {{tasks.name}}, in loops too,
// as Argo gives them (localParams); the driver builds the same Jobs as
// compile does.
func TestStepsAndTasksName(t *testing.T) {
	src, err := os.ReadFile("../fixtures/steps-tasks-name.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w := workflow(t, string(src))
	var echoed []string
	simulate(t, w, func(_ string, command []string) PodResult {
		echoed = append(echoed, command[1])
		return succeed("")
	})
	slices.Sort(echoed)
	want := []string{
		"argument ", // the entrypoint's own {{steps.name}} is empty
		"argument passed in graph",
		"step hello of steps-tasks-name[0].hello",
		"step many(0:a) of steps-tasks-name[0].many(0:a)",
		"step many(1:b) of steps-tasks-name[0].many(1:b)",
		"task first",
	}
	if !slices.Equal(echoed, want) {
		t.Errorf("echoed\n%s\nwant\n%s", strings.Join(echoed, "\n"), strings.Join(want, "\n"))
	}
}

// TestHostNodeName: a step or task gives its siblings the Kubernetes node
// its pod ran on as {{steps.X.hostNodeName}} or {{tasks.X.hostNodeName}}.
func TestHostNodeName(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: first, template: say}
    - - {name: graph, template: graph}
  - name: graph
    dag:
      tasks:
      - {name: a, template: say}
      - {name: b, template: echo, depends: a, arguments: {parameters: [{name: m, value: "task a ran on {{tasks.a.hostNodeName}}, step first on {{workflow.name}}"}]}}
      - {name: c, template: echo, depends: a, arguments: {parameters: [{name: m, value: "{{tasks.a.hostNodeName}}"}]}}
  - name: say
    container: {image: busybox, command: [echo, hi]}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`)
	var echoed []string
	status, _ := simulate(t, w, func(node string, command []string) PodResult {
		if command[1] != "hi" {
			echoed = append(echoed, command[1])
		}
		r := succeed("")
		r.HostNodeName = "node-" + strings.TrimPrefix(node, "wf[1].graph.")
		return r
	})
	slices.Sort(echoed)
	if want := []string{"node-a", "task a ran on node-a, step first on wf"}; !slices.Equal(echoed, want) {
		t.Errorf("echoed %q, want %q", echoed, want)
	}
	if n := status.Nodes[status.Root]; status.Phase != Succeeded || n == nil {
		t.Fatalf("workflow %s %q", status.Phase, status.Message)
	}
	for _, n := range status.Nodes {
		if n.Type == "Pod" && n.HostNodeName == "" {
			t.Errorf("node %s has no hostNodeName", n.Name)
		}
	}
}

// TestRetriedStepVars: a retried template's attempts get node.name (the
// retry node's), retries and lastRetry.*; its siblings read the last
// attempt's id, status, host node and exit code, as Argo's local scope does.
func TestRetriedStepVars(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: try, template: flaky, continueOn: {failed: true}}
    - - name: after
        template: echo
        arguments: {parameters: [{name: m, value: "{{steps.try.id}} {{steps.try.status}} {{steps.try.hostNodeName}} {{steps.try.exitCode}}"}]}
  - name: flaky
    retryStrategy: {limit: 1}
    container: {image: busybox, command: [flaky, "{{node.name}} {{retries}} {{lastRetry.status}} {{lastRetry.exitCode}} {{lastRetry.message}}"]}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`)
	var seen []string
	simulate(t, w, func(node string, command []string) PodResult {
		seen = append(seen, command[1])
		if command[0] != "flaky" {
			return succeed("")
		}
		r := exitWith(int32(3 + len(seen)))
		r.HostNodeName = "host-" + strings.TrimPrefix(node, "wf[0].")
		return r
	})
	want := []string{
		"wf[0].try 0  0 ",
		"wf[0].try 1 Failed 4 main: Error (exit code 1)",
		compile.NodeID("wf", "wf[0].try(1)") + " Failed host-try(1) 5",
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
}

// TestUnnamedStepsName: Argo runs the entrypoint, spec.onExit and hooks as
// steps with no name, so their {{steps.name}} is empty.
func TestUnnamedStepsName(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want []string
	}{
		{"entrypoint", `
  entrypoint: say
  templates:
  - {name: say, container: {image: busybox, command: [echo, "[{{steps.name}}]"]}}`, []string{"[]"}},
		{"exit handler and a step's exit hook", `
  entrypoint: main
  onExit: say
  templates:
  - name: main
    steps:
    - - {name: work, template: say, hooks: {exit: {template: say}}}
  - {name: say, container: {image: busybox, command: [echo, "[{{steps.name}}]"]}}`, []string{"[work]", "[]", "[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workflow(t, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wf}\nspec:"+tt.spec+"\n")
			var echoed []string
			status, _ := simulate(t, w, func(node string, command []string) PodResult {
				echoed = append(echoed, command[1])
				return succeed("")
			})
			if status.Phase != Succeeded {
				t.Fatalf("workflow %s %q", status.Phase, status.Message)
			}
			if diff := cmp.Diff(tt.want, echoed); diff != "" {
				t.Errorf("echoed (-want +got):\n%s", diff)
			}
		})
	}
}
