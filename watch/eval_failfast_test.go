package watch

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// failing makes the pods whose node name contains one of marks fail.
func failing(marks ...string) outcome {
	return func(node string, _ []string) PodResult {
		for _, m := range marks {
			if strings.Contains(node, m) {
				return exitWith(1)
			}
		}
		return succeed("")
	}
}

func TestTemplateFailFast(t *testing.T) {
	const head = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: run
    container: {image: busybox}
`
	for _, tc := range []struct {
		name, src string
		run       outcome
		rounds    [][]string
		message   string
		absent    []string          // nodes Argo never creates
		nodes     map[string]string // node name -> message
	}{{
		// examples/loops-arbitrary-sequential-steps.yaml: the loop stops
		// at the first failure.
		name: "sequential loop stops at the failed item",
		src: head + `  - name: main
    parallelism: 1
    failFast: true
    steps:
    - - {name: s, template: run, withItems: [a, b, c, d]}
`,
		run:     failing("(1:b)"),
		rounds:  [][]string{{"wf[0].s(0:a)"}, {"wf[0].s(1:b)"}},
		message: failFastMessage,
		absent:  []string{"wf[0].s(2:c)", "wf[0].s(3:d)"},
		nodes:   map[string]string{"wf": failFastMessage, "wf[0]": failFastMessage},
	}, {
		name: "without failFast the loop runs every item",
		src: head + `  - name: main
    parallelism: 1
    steps:
    - - {name: s, template: run, withItems: [a, b, c, d]}
`,
		run:     failing("(1:b)"),
		rounds:  [][]string{{"wf[0].s(0:a)"}, {"wf[0].s(1:b)"}, {"wf[0].s(2:c)"}, {"wf[0].s(3:d)"}},
		message: "child 'wf-2230952653' failed",
	}, {
		// Argo counts a failed child whatever its continueOn.
		name: "a failure that continueOn allows still stops the steps",
		src: head + `  - name: main
    failFast: true
    steps:
    - - {name: a, template: run, continueOn: {failed: true}}
    - - {name: b, template: run}
`,
		run:     failing(".a"),
		rounds:  [][]string{{"wf[0].a"}},
		message: failFastMessage,
		absent:  []string{"wf[1]", "wf[1].b"},
	}, {
		// A failed attempt is a failed child too: no retry starts.
		name: "a failed attempt stops retries",
		src: head + `  - name: main
    failFast: true
    steps:
    - - {name: a, template: retried}
  - name: retried
    retryStrategy: {limit: 3}
    container: {image: busybox}
`,
		run:     failing(".a(0)"),
		rounds:  [][]string{{"wf[0].a(0)"}},
		message: failFastMessage,
		absent:  []string{"wf[0].a(1)"},
	}, {
		// The template's failFast stops a dag whose own failFast is off.
		name: "dag: no new task after a failure, whatever dag.failFast",
		src: head + `  - name: main
    failFast: true
    parallelism: 1
    dag:
      failFast: false
      tasks:
      - {name: A, template: run}
      - {name: B, template: run}
      - {name: C, template: run, depends: A.Failed}
`,
		run:     failing(".A"),
		rounds:  [][]string{{"wf.A"}},
		message: failFastMessage,
		absent:  []string{"wf.B", "wf.C"},
	}, {
		name: "dag without the template's failFast runs the rest, and its failure handler lets it succeed",
		src: head + `  - name: main
    parallelism: 1
    dag:
      failFast: false
      tasks:
      - {name: A, template: run}
      - {name: B, template: run}
      - {name: C, template: run, depends: A.Failed}
`,
		run:    failing(".A"),
		rounds: [][]string{{"wf.A"}, {"wf.B"}, {"wf.C"}},
	}, {
		name: "steps that succeed are not affected",
		src: head + `  - name: main
    failFast: true
    parallelism: 1
    steps:
    - - {name: s, template: run, withItems: [a, b]}
`,
		run:    failing("none"),
		rounds: [][]string{{"wf[0].s(0:a)"}, {"wf[0].s(1:b)"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, tc.src)
			status, rounds := simulate(t, w, tc.run)
			if diff := cmp.Diff(tc.rounds, rounds); diff != "" {
				t.Errorf("rounds of Job creations (-want +got):\n%s", diff)
			}
			want := Succeeded
			if tc.message != "" {
				want = Failed
			}
			if status.Phase != want || status.Message != tc.message {
				t.Errorf("workflow %s %q, want %s %q", status.Phase, status.Message, want, tc.message)
			}
			byName := map[string]*Node{}
			for _, n := range status.Nodes {
				byName[n.Name] = n
			}
			for _, name := range tc.absent {
				if byName[name] != nil {
					t.Errorf("node %s exists; Argo never creates it", name)
				}
			}
			for name, msg := range tc.nodes {
				if n := byName[name]; n == nil || n.Phase != Failed || n.Message != msg {
					t.Errorf("node %s: %+v, want Failed %q", name, n, msg)
				}
			}
			for _, n := range status.Nodes {
				for _, c := range n.Children {
					if status.Nodes[c] == nil {
						t.Errorf("node %s lists a child %s that does not exist", n.Name, c)
					}
				}
			}
		})
	}
}

// A failFast template waits for the pods it started: with a sibling still
// running it stays Running and starts nothing, then fails once it ends.
func TestTemplateFailFastWaitsForRunningPods(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    failFast: true
    parallelism: 2
    steps:
    - - {name: s, template: run, withItems: [a, b, c]}
  - name: run
    container: {image: busybox}
`)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, actions := Evaluate(w, obs)
	if got := createdNodes(actions); !slices.Equal(got, []string{"wf[0].s(0:a)", "wf[0].s(1:b)"}) {
		t.Fatalf("first evaluation creates %v", got)
	}
	obs.Jobs[actions.Create[0].Job.Name] = exitWith(1)
	obs.Jobs[actions.Create[1].Job.Name] = PodResult{Phase: Running}
	running := actions.Create[1].Job.Name
	status, actions := Evaluate(w, obs)
	if status.Phase != Running || len(actions.Create) != 0 {
		t.Fatalf("with b running: phase %s, creates %v; want Running and nothing new", status.Phase, createdNodes(actions))
	}
	obs.Jobs[running] = succeed("")
	status, actions = Evaluate(w, obs)
	if status.Phase != Failed || status.Message != failFastMessage || len(actions.Create) != 0 {
		t.Errorf("after b: %s %q, creates %v; want Failed %q and c never started", status.Phase, status.Message, createdNodes(actions), failFastMessage)
	}
}
