package watch

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEvaluatorMatchesEvaluate: through a sequence of cluster states, in
// which pods wait, run for a while, end one way or another, pass their
// deadline, export globals that change other nodes' variables, and are
// stopped, an Evaluator (remembering pod nodes between evaluations) gives
// exactly the Status and Actions of a fresh Evaluate.
func TestEvaluatorMatchesEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		// stopAt is the round a Stop is given at, 0 for none.
		stopAt int
	}{
		{name: "fan-out with deadlines", src: memoFanOutYAML},
		{name: "globals change variables", src: memoGlobalsYAML},
		{name: "retries", src: memoRetryYAML},
		{name: "stopped", src: memoFanOutYAML, stopAt: 4},
		{name: "dag", src: memoDAGYAML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, tc.src)
			ev := NewEvaluator(w)
			obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
			born := map[string]int{} // round each Job was created in
			remembered := false
			for round := 1; round <= 60; round++ {
				if round == tc.stopAt {
					obs.Shutdown = "Stop"
				}
				fresh, freshActions := Evaluate(w, obs)
				status, actions := ev.Evaluate(obs)
				everything := cmp.Exporter(func(reflect.Type) bool { return true })
				if diff := cmp.Diff(fresh, status, everything); diff != "" {
					t.Fatalf("round %d: status (-fresh +remembering):\n%s", round, diff)
				}
				if diff := cmp.Diff(freshActions, actions, everything); diff != "" {
					t.Fatalf("round %d: actions (-fresh +remembering):\n%s", round, diff)
				}
				remembered = remembered || len(ev.pods.byNode) > 0
				if status.Phase.Fulfilled() {
					if !remembered {
						t.Error("no pod node was ever remembered: the test did not exercise the Evaluator")
					}
					// Stopped pods end in the cluster once their
					// verdicts are recorded; then nothing is remembered.
					advance(&obs, actions, born, round)
					if ev.Evaluate(obs); len(ev.pods.byNode) != 0 {
						t.Errorf("%d pod nodes still remembered once all ended", len(ev.pods.byNode))
					}
					return
				}
				advance(&obs, actions, born, round)
			}
			t.Fatal("workflow did not end in 60 rounds")
		})
	}
}

// advance moves the simulated cluster on by one round: Jobs asked for
// exist (Pending), a round later their pods run, and they end some rounds
// after that, by their creation order; stopped Jobs end as stopped.
func advance(obs *Observed, actions *Actions, born map[string]int, round int) {
	for _, s := range actions.StopJobs {
		obs.Jobs[s.Job] = s.Result
	}
	for name, r := range obs.Jobs {
		age := round - born[name]
		start := obs.Now
		switch {
		case r.Phase.Completed():
		case age == 1:
			r.Phase, r.StartedAt = Running, &start
		case age >= 3+len(name)%4:
			code := int32(0)
			if strings.HasSuffix(name, "7") {
				code = 1
			}
			out := "out-" + name
			r = PodResult{Phase: Succeeded, ExitCode: &code, StartedAt: r.StartedAt, OutputFile: &out}
			if code != 0 {
				r.Phase, r.Message = Failed, "main: Error (exit code 1)"
			}
		}
		obs.Jobs[name] = r
	}
	for _, c := range actions.Create {
		obs.Jobs[c.Job.Name] = PodResult{Phase: Pending}
		born[c.Job.Name] = round
	}
	for _, s := range actions.StartSuspends {
		obs.Suspends[s] = SuspendState{StartedAt: obs.Now}
	}
	obs.Now = obs.Now.Add(time.Second)
}

var memoFanOutYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: fan
        template: echo
        arguments: {parameters: [{name: i, value: "{{item}}"}, {name: ads, value: "{{=asInt(item) % 3 + 2}}"}]}
        withSequence: {count: "24"}
        continueOn: {failed: true}
  - name: echo
    inputs: {parameters: [{name: i}, {name: ads}]}
    activeDeadlineSeconds: "{{inputs.parameters.ads}}"
    container: {image: busybox, command: [echo, "{{inputs.parameters.i}}"]}
`

var memoGlobalsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: export, template: exporter}
      - {name: wait, template: waiter, withSequence: {count: "6"}}
      - {name: use, template: user}
  - name: exporter
    container: {image: busybox, command: [sh, -c, "echo x > /tmp/g"]}
    outputs: {parameters: [{name: g, globalName: g, valueFrom: {path: /tmp/g}}]}
  - name: waiter
    podSpecPatch: '{"activeDeadlineSeconds": {{=len(workflow.outputs.parameters) + 30}}}'
    container: {image: busybox, command: [sleep, "1"]}
  - name: user
    container: {image: busybox, command: [echo, "{{workflow.outputs.parameters.g}}"]}
`

// memoDAGYAML's tasks read what the tasks before them gave, an omitted
// one's included, and run after loops.
var memoDAGYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: echo, withSequence: {count: "8"}, continueOn: {failed: true}, arguments: {parameters: [{name: m, value: "{{item}}"}]}}
      - {name: b, template: echo, depends: "a", arguments: {parameters: [{name: m, value: "{{tasks.a.outputs.result}}"}]}}
      - {name: c, template: echo, depends: "b.Succeeded || b.Failed", continueOn: {failed: true}, arguments: {parameters: [{name: m, value: "{{tasks.b.status}} {{tasks.b.startedAt}}"}]}}
      - {name: d, template: echo, depends: "c.Failed", arguments: {parameters: [{name: m, value: "{{tasks.c.exitCode}}"}]}}
      - {name: e, template: echo, depends: "c || d", arguments: {parameters: [{name: m, value: "{{tasks.c.id}}"}]}}
      - {name: f, template: echo, depends: "e && b", withSequence: {count: "3"}, arguments: {parameters: [{name: m, value: "{{tasks.e.startedAt}} {{tasks.d.status}} {{item}}"}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`

var memoRetryYAML = fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: try, template: flaky, withItems: [%s]}
  - name: flaky
    retryStrategy: {limit: 2}
    container: {image: busybox, command: [sh, -c, "exit 1"]}
`, strings.Repeat("a, b, c, ", 3)+"d")

// TestPodMemoFollowsItsInputs: a remembered pod node is found again only
// with the same template and the same variables.
func TestPodMemoFollowsItsInputs(t *testing.T) {
	w := workflow(t, memoFanOutYAML)
	ev := NewEvaluator(w)
	tmpl, _ := w.Template("echo")
	other, _ := w.Template("main")
	vars := map[string]string{"inputs.parameters.i": "1", "workflow.name": "wf"}
	ev.pods.remember("n", tmpl, vars, podBuild{failure: "x"})
	if m, ok := ev.pods.lookup("n", tmpl, map[string]string{"workflow.name": "wf", "inputs.parameters.i": "1"}); !ok || m.failure != "x" {
		t.Errorf("same inputs: found %v, %+v", ok, m)
	}
	for name, c := range map[string]struct {
		node string
		vars map[string]string
		tmpl bool
	}{
		"another value":    {"n", map[string]string{"inputs.parameters.i": "2", "workflow.name": "wf"}, false},
		"another variable": {"n", map[string]string{"inputs.parameters.i": "1", "workflow.name": "wf", "x": ""}, false},
		"a value moved":    {"n", map[string]string{"inputs.parameters.i": "wf", "workflow.name": "1"}, false},
		"another template": {"n", vars, true},
		"another node":     {"m", vars, false},
	} {
		tm := tmpl
		if c.tmpl {
			tm = other
		}
		if _, ok := ev.pods.lookup(c.node, tm, c.vars); ok {
			t.Errorf("%s: found", name)
		}
	}
	ev.pods.forget("n")
	if _, ok := ev.pods.lookup("n", tmpl, vars); ok {
		t.Error("found once forgotten")
	}
}
