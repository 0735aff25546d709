package watch

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

func TestStepAndTaskExitHooks(t *testing.T) {
	steps := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: run
        hooks:
          exit:
            template: report
            arguments:
              parameters: [{name: m, value: "{{steps.a.status}} {{steps.a.outputs.result}}"}]
      - {name: b, template: run, onExit: report}
    - - {name: after, template: run}
  - name: run
    container: {image: busybox, command: [echo, out]}
  - name: report
    inputs: {parameters: [{name: m, value: none}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`
	dag := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: a
        template: run
        hooks:
          exit:
            template: report
            arguments:
              parameters: [{name: m, value: "{{tasks.a.status}} {{tasks.a.outputs.result}}"}]
      - {name: after, template: run, depends: a}
  - name: run
    container: {image: busybox, command: [echo, out]}
  - name: report
    inputs: {parameters: [{name: m, value: none}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`
	for _, tc := range []struct {
		name, src string
		aFails    bool
		hookFails bool
		phase     Phase
		// rounds of Job creations: the hook runs once its step has ended,
		// and the next step group waits for it (a DAG's dependents do not).
		rounds [][]string
		// what the hook of a was given
		message string
	}{
		{name: "steps", src: steps, phase: Succeeded,
			rounds:  [][]string{{"wf[0].a", "wf[0].b"}, {"wf[0].a.onExit", "wf[0].b.onExit"}, {"wf[1].after"}},
			message: "Succeeded out"},
		{name: "steps: the hook runs after a failure, which still fails the group", src: steps, aFails: true, phase: Failed,
			rounds:  [][]string{{"wf[0].a", "wf[0].b"}, {"wf[0].a.onExit", "wf[0].b.onExit"}},
			message: "Failed out"},
		{name: "steps: a failing hook fails nothing else", src: steps, hookFails: true, phase: Succeeded,
			rounds:  [][]string{{"wf[0].a", "wf[0].b"}, {"wf[0].a.onExit", "wf[0].b.onExit"}, {"wf[1].after"}},
			message: "Succeeded out"},
		{name: "dag: dependents do not wait for the hook", src: dag, phase: Succeeded,
			rounds:  [][]string{{"wf.a"}, {"wf.a.onExit", "wf.after"}},
			message: "Succeeded out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, tc.src)
			message := ""
			status, rounds := simulate(t, w, func(node string, cmd []string) PodResult {
				switch {
				case strings.HasSuffix(node, "a.onExit"):
					message = cmd[1]
					if tc.hookFails {
						return exitWith(1)
					}
				case strings.HasSuffix(node, ".a") && tc.aFails:
					r, out := exitWith(1), "out"
					r.Result = &out
					return r
				}
				return succeed("out")
			})
			if status.Phase != tc.phase {
				t.Errorf("workflow %s (%s), want %s", status.Phase, status.Message, tc.phase)
			}
			if diff := cmp.Diff(tc.rounds, rounds); diff != "" {
				t.Errorf("rounds (-want +got):\n%s", diff)
			}
			if message != tc.message {
				t.Errorf("the hook got %q, want %q", message, tc.message)
			}
			hook := status.Nodes[compile.NodeID("wf", rounds[1][0])]
			parent := status.Nodes[compile.NodeID("wf", strings.TrimSuffix(rounds[1][0], ".onExit"))]
			if hook == nil || parent == nil || !strings.HasSuffix(hook.DisplayName, "a.onExit") || !cmp.Equal(parent.Children, []string{hook.ID}) {
				t.Errorf("hook node %+v should be the only child of %+v, named a.onExit", hook, parent)
			}
		})
	}
}
