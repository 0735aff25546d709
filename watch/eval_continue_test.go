package watch

import (
	"strings"
	"testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

func TestContinueOn(t *testing.T) {
	steps := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flaky, template: run, continueOn: {failed: true}}
      - {name: fine, template: run}
    - - {name: after, template: run}
  - name: run
    container: {image: busybox, command: ["true"]}
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
      - {name: flaky, template: run, continueOn: {failed: true}}
      - {name: after, template: run, dependencies: [flaky]}
  - name: run
    container: {image: busybox, command: ["true"]}
`
	for _, tc := range []struct {
		name, src  string
		flaky      PodResult
		phase      Phase
		afterRan   bool
		flakyPhase Phase
	}{
		{"steps: a failure allowed", steps, exitWith(1), Succeeded, true, Failed},
		{"steps: an error not allowed", steps, PodResult{Phase: Error, Message: "main: ErrImagePull"}, Failed, false, Error},
		{"dag: dependents run after an allowed failure", dag, exitWith(1), Succeeded, true, Failed},
		{"dag: an error not allowed", dag, PodResult{Phase: Error, Message: "main: ErrImagePull"}, Error, false, Error},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, tc.src)
			ran := false
			status, _ := simulate(t, w, func(node string, cmd []string) PodResult {
				switch {
				case strings.HasSuffix(node, "flaky"):
					return tc.flaky
				case strings.HasSuffix(node, "after"):
					ran = true
				}
				return succeed("")
			})
			if status.Phase != tc.phase || ran != tc.afterRan {
				t.Errorf("workflow %s (%s), after ran %v; want %s, %v", status.Phase, status.Message, ran, tc.phase, tc.afterRan)
			}
			for _, n := range status.Nodes {
				if strings.HasSuffix(n.Name, "flaky") && n.Phase != tc.flakyPhase {
					t.Errorf("flaky is %s, want it shown %s", n.Phase, tc.flakyPhase)
				}
			}
			if tc.phase == Succeeded && status.Nodes[compile.NodeID("wf", "wf")].Message != "" {
				t.Errorf("root message %q", status.Nodes["wf"].Message)
			}
		})
	}
}
