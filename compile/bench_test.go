package compile

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// generatedDAG writes a workflow with n DAG tasks: each depends on the one
// or two before it, half pass a static parameter and half the result of a
// dependency, which is how big generated DAGs tend to look.
func generatedDAG(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: big-\nspec:\n  entrypoint: main\n  templates:\n  - name: echo\n    inputs:\n      parameters:\n      - name: msg\n    container:\n      image: busybox\n      command: [echo, \"{{inputs.parameters.msg}}\"]\n  - name: main\n    dag:\n      tasks:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - name: t%d\n        template: echo\n", i)
		switch {
		case i == 0:
		case i%3 == 0 && i > 1:
			fmt.Fprintf(&b, "        depends: \"t%d && t%d.Succeeded\"\n", i-1, i-2)
		default:
			fmt.Fprintf(&b, "        depends: t%d\n", i-1)
		}
		if i > 0 && i%2 == 1 {
			fmt.Fprintf(&b, "        arguments:\n          parameters:\n          - name: msg\n            value: \"{{tasks.t%d.outputs.result}}\"\n", i-1)
		} else {
			fmt.Fprintf(&b, "        arguments:\n          parameters:\n          - name: msg\n            value: \"task %d of {{workflow.name}}\"\n", i)
		}
	}
	return []byte(b.String())
}

// BenchmarkLintCompile measures lint + compile of generated DAGs. The
// goal for 10,000 tasks is under 0.5 s and 200 MB; peak-heap-MB is the
// largest heap seen right after a run.
func BenchmarkLintCompile(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		data := generatedDAG(n)
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			var peak uint64
			b.ReportAllocs()
			for b.Loop() {
				docs, diags := ParseFile("big.yaml", data)
				if diags.HasErrors() {
					b.Fatal(diags)
				}
				if diags := Lint(docs); diags.HasErrors() {
					b.Fatal(diags)
				}
				w, err := NewWorkflow(docs[0], Options{Namespace: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				plan, err := Compile(w)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := plan.Objects(); err != nil {
					b.Fatal(err)
				}
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
