package watch

import (
	"testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// BenchmarkEvaluateWideFanOut is one evaluation of a 5,000-item fan-out
// whose pods have all ended: what a driver pays on each event near the end
// of a wide workflow.
func BenchmarkEvaluateWideFanOut(b *testing.B) {
	docs, diags := compile.ParseFile("wf.yaml", []byte(`apiVersion: argoproj.io/v1alpha1
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
        withSequence: {count: "5000"}
  - name: echo
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.i}}"]}
`))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns"})
	if err != nil {
		b.Fatal(err)
	}
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, a := Evaluate(w, obs)
	code := int32(0)
	for _, c := range a.Create {
		obs.Jobs[c.Job.Name] = PodResult{Phase: Succeeded, ExitCode: &code}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if s, _ := Evaluate(w, obs); s.Phase != Succeeded {
			b.Fatalf("phase %s", s.Phase)
		}
	}
}
