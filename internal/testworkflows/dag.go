// Package testworkflows writes the generated workflows that benchmarks
// and scale tests drive, so that a benchmark without a cluster and a run
// on one measure the same shape.
package testworkflows

import (
	"fmt"
	"strings"
)

// WideDAG is the workflow name: n pod tasks in five layers; each task
// after the first layer depends on two tasks of the layer before, so the
// DAG's edges, not only its width, are exercised. spec is added to the
// workflow's spec after its entrypoint: lines that begin with a newline
// and are indented as its fields (a nodeSelector, say), or "".
func WideDAG(name string, n int, spec string) string {
	const layers = 5
	width := n / layers
	var y strings.Builder
	fmt.Fprintf(&y, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: %s}
spec:
  entrypoint: main%s
  templates:
  - name: one
    container: {image: busybox, command: ["true"]}
  - name: main
    dag:
      tasks:
`, name, spec)
	for l := range layers {
		for i := range width {
			fmt.Fprintf(&y, "      - {name: t%d-%d, template: one", l, i)
			if l > 0 {
				fmt.Fprintf(&y, ", depends: \"t%d-%d && t%d-%d\"", l-1, i, l-1, (i+1)%width)
			}
			y.WriteString("}\n")
		}
	}
	return y.String()
}
