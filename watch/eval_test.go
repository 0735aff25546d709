package watch

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func workflow(t *testing.T, src string) *compile.Workflow {
	t.Helper()
	docs, diags := compile.ParseFile("wf.yaml", []byte(src))
	diags = append(diags, compile.Lint(docs)...)
	if diags.HasErrors() {
		t.Fatalf("invalid test workflow:\n%v", diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// outcome decides how a simulated pod ends, from its node name and the
// Job's main container command.
type outcome func(node string, command []string) PodResult

func succeed(result string) PodResult {
	code := int32(0)
	return PodResult{Phase: Succeeded, ExitCode: &code, Result: &result}
}

func exitWith(code int32) PodResult {
	return PodResult{Phase: Failed, ExitCode: &code, Message: "main: Error (exit code 1)"}
}

// simulate drives a workflow to its end as a driver would, but with pods
// that end as outcome says, one evaluation per "event". It returns the
// final status and the Job-creation rounds, each sorted.
func simulate(t *testing.T, w *compile.Workflow, run outcome) (*Status, [][]string) {
	t.Helper()
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
	var rounds [][]string
	created := map[string]bool{}
	for i := 0; i < 100; i++ {
		status, actions := Evaluate(w, obs)
		if status.Phase.Fulfilled() {
			return status, rounds
		}
		var round []string
		for _, c := range actions.Create {
			if created[c.Job.Name] {
				t.Fatalf("Job %s asked for twice", c.Job.Name)
			}
			created[c.Job.Name] = true
			round = append(round, c.Node)
			start := obs.Now
			r := run(c.Node, append(slices.Clone(c.Job.Spec.Template.Spec.Containers[0].Command), c.Job.Spec.Template.Spec.Containers[0].Args...))
			r.StartedAt = &start
			obs.Jobs[c.Job.Name] = r
		}
		for _, s := range actions.StartSuspends {
			obs.Suspends[s] = SuspendState{StartedAt: obs.Now}
		}
		for _, e := range actions.RecordInputErrors {
			if obs.InputErrors == nil {
				obs.InputErrors = map[string]string{}
			}
			obs.InputErrors[e.Node] = e.Message
		}
		slices.Sort(round)
		if len(round) > 0 {
			rounds = append(rounds, round)
		}
		obs.Now = obs.Now.Add(time.Second)
		if actions.WakeAt != nil && len(actions.Create) == 0 && len(actions.StartSuspends) == 0 {
			obs.Now = *actions.WakeAt
		}
	}
	t.Fatal("workflow did not end in 100 evaluations")
	return nil, nil
}

func names(w *compile.Workflow, nodes ...string) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = strings.ReplaceAll(n, "WF", w.Name)
	}
	return out
}

const stepsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: a
        template: echo
        arguments: {parameters: [{name: m, value: "got {{steps.gen.outputs.result}}"}]}
      - {name: b, template: echo, arguments: {parameters: [{name: m, value: b}]}}
    - - {name: c, template: echo, arguments: {parameters: [{name: m, value: c}]}}
  - name: gen
    container: {image: busybox, command: [gen]}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`

func TestStepsRunGroupByGroup(t *testing.T) {
	w := workflow(t, stepsYAML)
	var echoed []string
	status, rounds := simulate(t, w, func(node string, cmd []string) PodResult {
		if cmd[0] == "echo" {
			echoed = append(echoed, cmd[1])
		}
		return succeed("42\n"[:2])
	})
	want := [][]string{names(w, "WF[0].gen"), names(w, "WF[1].a", "WF[1].b"), names(w, "WF[2].c")}
	if d := cmp.Diff(want, rounds); d != "" {
		t.Errorf("creation rounds (-want +got):\n%s", d)
	}
	if status.Phase != Succeeded || status.Progress != "4/4" {
		t.Errorf("status = %s %s, want Succeeded 4/4", status.Phase, status.Progress)
	}
	if !slices.Contains(echoed, "got 42") {
		t.Errorf("step a did not get gen's result: echoed %q", echoed)
	}
}

func TestFailedStepFailsWorkflow(t *testing.T) {
	w := workflow(t, stepsYAML)
	status, rounds := simulate(t, w, func(node string, cmd []string) PodResult {
		if strings.HasSuffix(node, ".b") {
			return exitWith(1)
		}
		return succeed("x")
	})
	if len(rounds) != 2 {
		t.Errorf("rounds = %v, want the third group never started", rounds)
	}
	bID := compile.NodeID(w.Name, w.Name+"[1].b")
	if status.Phase != Failed || status.Message != "child '"+bID+"' failed" {
		t.Errorf("status = %s %q, want Failed \"child '%s' failed\"", status.Phase, status.Message, bID)
	}
}

func TestDAGDiamondAndDepends(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: D, template: t, depends: "B && C"}
      - {name: A, template: t}
      - {name: B, template: t, depends: A}
      - {name: C, template: t, depends: A.Succeeded}
      - {name: E, template: t, depends: A.Failed}
  - name: t
    container: {image: busybox}
`)
	status, rounds := simulate(t, w, func(string, []string) PodResult { return succeed("") })
	want := [][]string{names(w, "WF.A"), names(w, "WF.B", "WF.C"), names(w, "WF.D")}
	if d := cmp.Diff(want, rounds); d != "" {
		t.Errorf("creation rounds (-want +got):\n%s", d)
	}
	e := status.Nodes[compile.NodeID(w.Name, w.Name+".E")]
	if status.Phase != Succeeded || e == nil || e.Phase != Omitted {
		t.Errorf("status %s, E = %+v; want Succeeded with E Omitted", status.Phase, e)
	}
}

func TestDAGFailFastWaitsForRunningTasks(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: t}
      - {name: B, template: t}
      - {name: C, template: t, dependencies: [B]}
  - name: t
    container: {image: busybox}
`)
	// A fails at once while B is still running: C must not start, and the
	// DAG fails only once B has ended.
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, actions := Evaluate(w, obs)
	for _, c := range actions.Create {
		if strings.HasSuffix(c.Node, ".A") {
			obs.Jobs[c.Job.Name] = exitWith(1)
		} else {
			obs.Jobs[c.Job.Name] = PodResult{Phase: Running}
		}
	}
	status, actions := Evaluate(w, obs)
	if status.Phase != Running || len(actions.Create) != 0 {
		t.Fatalf("with B running: phase %s, creates %d; want Running and nothing new", status.Phase, len(actions.Create))
	}
	for name, r := range obs.Jobs {
		if r.Phase == Running {
			obs.Jobs[name] = succeed("")
		}
	}
	status, actions = Evaluate(w, obs)
	if status.Phase != Failed || len(actions.Create) != 0 {
		t.Errorf("after B: phase %s, creates %d; want Failed and C never started", status.Phase, len(actions.Create))
	}
}

func TestWhenAndLoops(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flip, template: t}
    - - {name: heads, template: t, when: "{{steps.flip.outputs.result}} == heads"}
      - {name: tails, template: t, when: "{{steps.flip.outputs.result}} == tails"}
    - - {name: list, template: t}
    - - name: each
        template: echo
        withParam: "{{steps.list.outputs.result}}"
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
      - name: seq
        template: echo
        withSequence: {count: "2", start: "5"}
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
  - name: t
    container: {image: busybox}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`)
	status, rounds := simulate(t, w, func(node string, _ []string) PodResult {
		switch {
		case strings.HasSuffix(node, "flip"):
			return succeed("heads")
		case strings.HasSuffix(node, "list"):
			return succeed(`["x","y"]`)
		}
		return succeed("")
	})
	tails := status.Nodes[compile.NodeID(w.Name, w.Name+"[1].tails")]
	if tails == nil || tails.Phase != Skipped || tails.Message != "when 'heads == tails' evaluated false" {
		t.Errorf("tails = %+v, want Skipped with Argo's message", tails)
	}
	want := names(w, "WF[3].each(0:x)", "WF[3].each(1:y)", "WF[3].seq(0:5)", "WF[3].seq(1:6)")
	if d := cmp.Diff(want, rounds[len(rounds)-1]); d != "" {
		t.Errorf("loop nodes (-want +got):\n%s", d)
	}
	if status.Phase != Succeeded {
		t.Errorf("phase %s, want Succeeded", status.Phase)
	}
}

func TestSuspendDurationAndResume(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: wait, template: wait}
    - - {name: approve, template: approve}
  - name: wait
    suspend: {duration: "10s"}
  - name: approve
    suspend: {}
`)
	wait, approve := w.Name+"[0].wait", w.Name+"[1].approve"
	obs := Observed{Suspends: map[string]SuspendState{}, Now: t0}
	_, actions := Evaluate(w, obs)
	if d := cmp.Diff([]string{wait}, actions.StartSuspends); d != "" {
		t.Fatalf("StartSuspends (-want +got):\n%s", d)
	}
	obs.Suspends[wait] = SuspendState{StartedAt: t0}
	obs.Now = t0.Add(5 * time.Second)
	status, actions := Evaluate(w, obs)
	if status.Phase != Running || actions.WakeAt == nil || !actions.WakeAt.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("at 5s: %s, wake %v; want Running, wake at 10s", status.Phase, actions.WakeAt)
	}
	obs.Now = t0.Add(10 * time.Second)
	_, actions = Evaluate(w, obs)
	if d := cmp.Diff([]string{approve}, actions.StartSuspends); d != "" {
		t.Fatalf("after 10s, StartSuspends (-want +got):\n%s", d)
	}
	obs.Suspends[approve] = SuspendState{StartedAt: obs.Now}
	obs.Now = obs.Now.Add(time.Hour)
	if status, _ := Evaluate(w, obs); status.Phase != Running {
		t.Fatalf("an unresumed suspend ended: %s", status.Phase)
	}
	resumed := obs.Now
	obs.ResumeAll = &resumed
	if status, _ := Evaluate(w, obs); status.Phase != Succeeded {
		t.Errorf("after resume: %s, want Succeeded", status.Phase)
	}
}

// TestEvaluateIsIdempotent: re-evaluating what a dead driver saw asks for
// exactly the Jobs that do not exist yet, never one that does.
func TestEvaluateIsIdempotent(t *testing.T) {
	w := workflow(t, stepsYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, first := Evaluate(w, obs)
	_, again := Evaluate(w, obs)
	if len(first.Create) != 1 || len(again.Create) != 1 || first.Create[0].Job.Name != again.Create[0].Job.Name {
		t.Fatalf("two evaluations of one state differ: %d vs %d creates", len(first.Create), len(again.Create))
	}
	obs.Jobs[first.Create[0].Job.Name] = PodResult{Phase: Running}
	if _, next := Evaluate(w, obs); len(next.Create) != 0 {
		t.Errorf("a running Job's node was asked for again: %v", next.Create[0].Job.Name)
	}
}

// With failFast: false a DAG runs every branch a failure does not block,
// then fails.
func TestDAGFailFastFalseRunsTheOtherBranches(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      failFast: false
      tasks:
      - {name: A, template: t}
      - {name: B, template: t}
      - {name: C, template: t, dependencies: [B]}
      - {name: D, template: t, dependencies: [A]}
  - name: t
    container: {image: busybox}
`)
	status, rounds := simulate(t, w, func(node string, _ []string) PodResult {
		if strings.HasSuffix(node, ".A") {
			return exitWith(1)
		}
		return succeed("")
	})
	if status.Phase != Failed {
		t.Errorf("phase %s, want Failed", status.Phase)
	}
	if diff := cmp.Diff([][]string{{"wf.A", "wf.B"}, {"wf.C"}}, rounds); diff != "" {
		t.Errorf("rounds (-want +got):\n%s", diff)
	}
}
