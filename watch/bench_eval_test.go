package watch

import (
	"strconv"
	"testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testworkflows"
)

// wideFanOutYAML is a withSequence fan-out of n pods.
func wideFanOutYAML(n int) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: fan
        template: echo
        arguments: {parameters: [{name: i, value: "{{item}}"}]}
        withSequence: {count: "` + strconv.Itoa(n) + `"}
  - name: echo
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.i}}"]}
`
}

// wideDAGYAML is a DAG of n pod tasks in five layers, each after two of
// the layer before, as the scale test on the cluster runs it.
func wideDAGYAML(n int) string { return testworkflows.WideDAG("wf", n, "") }

// BenchmarkEvaluateWideFanOut is one evaluation of a 5,000-item fan-out in
// the states a driver sees it in: no Job made yet (the first reconcile),
// every Job made and pending, half of the pods ended and half running,
// and every pod ended (each event near the end of a wide workflow); fresh
// (Evaluate) and by the driver's Evaluator, which remembers what it
// built of pod nodes that wait or run.
func BenchmarkEvaluateWideFanOut(b *testing.B) {
	docs, diags := compile.ParseFile("wf.yaml", []byte(wideFanOutYAML(5000)))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns"})
	if err != nil {
		b.Fatal(err)
	}
	_, first := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: t0})
	code := int32(0)
	states := []struct {
		name  string
		phase func(i int) Phase // of the i-th Job; "" when it does not exist
		want  Phase
	}{
		{"none", func(int) Phase { return "" }, Running},
		{"pending", func(int) Phase { return Pending }, Running},
		{"half-ended", func(i int) Phase { return map[bool]Phase{true: Succeeded, false: Running}[i%2 == 0] }, Running},
		{"ended", func(int) Phase { return Succeeded }, Succeeded},
	}
	for _, st := range states {
		b.Run(st.name, func(b *testing.B) {
			obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
			for i, c := range first.Create {
				switch p := st.phase(i); p {
				case "":
				case Succeeded:
					obs.Jobs[c.Job.Name] = PodResult{Phase: p, ExitCode: &code}
				default:
					obs.Jobs[c.Job.Name] = PodResult{Phase: p}
				}
			}
			benchmarkEvaluations(b, w, obs, st.want)
		})
	}
}

// benchmarkEvaluations evaluates obs fresh (Evaluate) and by an Evaluator
// that evaluated it before, as the reconcile before did.
func benchmarkEvaluations(b *testing.B, w *compile.Workflow, obs Observed, want Phase) {
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if s, _ := Evaluate(w, obs); s.Phase != want {
				b.Fatalf("phase %s, want %s", s.Phase, want)
			}
		}
	})
	b.Run("evaluator", func(b *testing.B) {
		ev := NewEvaluator(w)
		ev.Evaluate(obs)
		b.ReportAllocs()
		for b.Loop() {
			if s, _ := ev.Evaluate(obs); s.Phase != want {
				b.Fatalf("phase %s, want %s", s.Phase, want)
			}
		}
	})
}

// BenchmarkEvaluateWideDAG is one evaluation of wideDAGYAML's 5,000 tasks
// with none made yet, with the first two layers ended and the third
// running, with every task ended, and with every task that could run
// ended after the first failed (failFast then stops the DAG).
func BenchmarkEvaluateWideDAG(b *testing.B) {
	docs, diags := compile.ParseFile("wf.yaml", []byte(wideDAGYAML(5000)))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns"})
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range []struct {
		name      string
		ended     int // how many Jobs end, in the order they are created
		failFirst bool
		want      Phase
	}{
		{"none", -1, false, Running},
		{"two-layers-ended", 2000, false, Running},
		{"ended", 5000, false, Succeeded},
		{"first-failed", 5000, true, Failed},
	} {
		b.Run(st.name, func(b *testing.B) {
			benchmarkEvaluations(b, w, runUntil(w, st.ended, st.failFirst), st.want)
		})
	}
}

// runUntil is what a driver observes once the first `ended` Jobs the
// workflow creates have ended, the first of them failed if failFirst and
// the others succeeded, and the others it then creates run; nothing is
// created when ended is negative.
func runUntil(w *compile.Workflow, ended int, failFirst bool) Observed {
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	if ended < 0 {
		return obs
	}
	code := int32(0)
	for done := 0; ; {
		_, actions := Evaluate(w, obs)
		if len(actions.Create) == 0 {
			return obs
		}
		for _, c := range actions.Create {
			switch {
			case done == 0 && failFirst:
				failed := int32(1)
				obs.Jobs[c.Job.Name] = PodResult{Phase: Failed, ExitCode: &failed, StartedAt: &t0, FinishedAt: &t0}
				done++
			case done < ended:
				obs.Jobs[c.Job.Name] = PodResult{Phase: Succeeded, ExitCode: &code, StartedAt: &t0, FinishedAt: &t0}
				done++
			default:
				obs.Jobs[c.Job.Name] = PodResult{Phase: Running, StartedAt: &t0}
			}
		}
	}
}
