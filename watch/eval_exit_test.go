package watch

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

const exitYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  onExit: exit
  templates:
  - name: main
    steps:
    - - {name: work, template: work}
  - name: work
    container: {image: busybox, command: [work]}
  - name: exit
    steps:
    - - name: notify
        template: notify
        arguments:
          parameters:
          - {name: status, value: "{{workflow.status}}"}
          - {name: failures, value: "{{workflow.failures}}"}
  - name: notify
    inputs: {parameters: [{name: status}, {name: failures}]}
    container: {image: busybox, command: [notify, "{{inputs.parameters.status}}", "{{inputs.parameters.failures}}"]}
`

func TestExitHandler(t *testing.T) {
	// Argo lists every failed node, parents included, in workflow.failures.
	for _, tc := range []struct {
		name         string
		work, notify PodResult
		phase        Phase
		message      string
		status       string
		failures     []string
	}{
		{"after success", succeed(""), succeed(""), Succeeded, "", "Succeeded", nil},
		{"after a failure", exitWith(1), succeed(""), Failed, "child '" + compile.NodeID("wf", "wf[0].work") + "' failed", "Failed", []string{"wf", "[0]", "work"}},
		{"a failing handler fails a succeeded workflow", succeed(""), exitWith(1), Failed, "child '" + compile.NodeID("wf", "wf.onExit[0].notify") + "' failed", "Succeeded", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, exitYAML)
			var order []string
			var status string
			var failures []map[string]any
			final, _ := simulate(t, w, func(node string, cmd []string) PodResult {
				order = append(order, node)
				if cmd[0] == "notify" {
					status = cmd[1]
					// Argo gives the JSON Go-quoted, null when none failed.
					raw, err := strconv.Unquote(cmd[2])
					if err == nil {
						err = json.Unmarshal([]byte(raw), &failures)
					}
					if err != nil {
						t.Errorf("workflow.failures %q: %v", cmd[2], err)
					}
					if len(tc.failures) == 0 && cmd[2] != `"null"` {
						t.Errorf("workflow.failures %s, want \"null\"", cmd[2])
					}
					return tc.notify
				}
				return tc.work
			})
			if want := []string{"wf[0].work", "wf.onExit[0].notify"}; !slices.Equal(order, want) {
				t.Errorf("ran %v, want %v", order, want)
			}
			if final.Phase != tc.phase || final.Message != tc.message {
				t.Errorf("workflow %s %q, want %s %q", final.Phase, final.Message, tc.phase, tc.message)
			}
			if status != tc.status || len(failures) != len(tc.failures) {
				t.Errorf("the handler saw status %q and failures %v", status, failures)
			}
			for i, f := range tc.failures {
				if failures[i]["displayName"] != f || failures[i]["phase"] != "Failed" {
					t.Errorf("failure %d = %v, want %s", i, failures[i], f)
				}
			}
			if exit := final.Nodes[final.OnExit]; exit == nil || exit.Name != "wf.onExit" {
				t.Errorf("OnExit node %+v", exit)
			}
		})
	}
}

// TestExitHandlerAndShutdown: Stop lets the exit handler run, Terminate
// does not.
func TestExitHandlerAndShutdown(t *testing.T) {
	for strategy, wantRun := range map[string]bool{Stop: true, Terminate: false} {
		w := workflow(t, exitYAML)
		obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0, Shutdown: strategy}
		status, actions := Evaluate(w, obs)
		ran := slices.ContainsFunc(actions.Create, func(c PodToCreate) bool { return strings.HasPrefix(c.Node, "wf.onExit") })
		if ran != wantRun {
			t.Errorf("%s: exit handler started %v, want %v (status %s)", strategy, ran, wantRun, status.Phase)
		}
	}
}

// TestExitHandlerDuration: the exit handler's workflow.duration is the
// seconds from the workflow's start to the evaluation that starts it, as
// Argo's reconcile gives it.
func TestExitHandlerDuration(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  onExit: report
  templates:
  - {name: main, container: {image: busybox, command: [work]}}
  - {name: report, container: {image: busybox, command: [echo, "{{workflow.status}} {{workflow.duration}}"]}}
`)
	start, end := t0, t0.Add(40*time.Second)
	done := succeed("")
	done.StartedAt, done.FinishedAt = &start, &end
	obs := Observed{Jobs: map[string]PodResult{compile.JobName("wf", "main", "wf"): done}, Suspends: map[string]SuspendState{},
		StartedAt: &start, Now: t0.Add(42*time.Second + 500*time.Millisecond)}
	_, actions := Evaluate(w, obs)
	var commands [][]string
	for _, c := range actions.Create {
		commands = append(commands, c.Job.Spec.Template.Spec.Containers[0].Command)
	}
	if diff := cmp.Diff([][]string{{"echo", "Succeeded 42.500000"}}, commands); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
}
