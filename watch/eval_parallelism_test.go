package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParallelism(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		rounds    [][]string
	}{{
		name: "workflow: at most two pods at once",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  parallelism: 2
  templates:
  - name: main
    steps:
    - - {name: s, template: run, withItems: [a, b, c, d, e]}
  - name: run
    container: {image: busybox}
`,
		rounds: [][]string{{"wf[0].s(0:a)", "wf[0].s(1:b)"}, {"wf[0].s(2:c)", "wf[0].s(3:d)"}, {"wf[0].s(4:e)"}},
	}, {
		name: "dag template: at most two tasks at once",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    parallelism: 2
    dag:
      tasks:
      - {name: A, template: run}
      - {name: B, template: run}
      - {name: C, template: run}
      - {name: D, template: run, depends: A}
  - name: run
    container: {image: busybox}
`,
		rounds: [][]string{{"wf.A", "wf.B"}, {"wf.C", "wf.D"}},
	}, {
		// A nested steps template counts as one child of the outer one,
		// however many pods it runs; its own pods are not bounded by it.
		name: "nested templates: one child at a time, each running its own steps",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    parallelism: 1
    steps:
    - - {name: x, template: pair}
      - {name: y, template: pair}
  - name: pair
    steps:
    - - {name: one, template: run}
      - {name: two, template: run}
  - name: run
    container: {image: busybox}
`,
		rounds: [][]string{{"wf[0].x[0].one", "wf[0].x[0].two"}, {"wf[0].y[0].one", "wf[0].y[0].two"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, rounds := simulate(t, workflow(t, tc.src), func(string, []string) PodResult { return succeed("") })
			if diff := cmp.Diff(tc.rounds, rounds); diff != "" {
				t.Errorf("rounds of Job creations (-want +got):\n%s", diff)
			}
		})
	}
}

// A running pod holds its slot: with one pod still running, a workflow
// bounded to two creates only one more.
func TestParallelismCountsRunningPods(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  parallelism: 2
  templates:
  - name: main
    steps:
    - - {name: s, template: run, withItems: [a, b, c]}
  - name: run
    container: {image: busybox}
`)
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
	_, actions := Evaluate(w, obs)
	if len(actions.Create) != 2 {
		t.Fatalf("first evaluation creates %d Jobs, want 2", len(actions.Create))
	}
	obs.Jobs[actions.Create[0].Job.Name] = PodResult{Phase: Running}
	obs.Jobs[actions.Create[1].Job.Name] = succeed("")
	status, actions := Evaluate(w, obs)
	if len(actions.Create) != 1 || actions.Create[0].Node != "wf[0].s(2:c)" {
		t.Errorf("with one pod running, creates %v, want only wf[0].s(2:c)", actions.Create)
	}
	if status.Phase != Running {
		t.Errorf("phase %s", status.Phase)
	}
}
