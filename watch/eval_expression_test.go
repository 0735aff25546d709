package watch

import (
	"strings"
	"testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestOutputFromExpression: a steps template's output parameter from
// valueFrom.expression, as Argo's conditional-parameters example uses it;
// an expression that cannot be evaluated falls back to its default.
func TestOutputFromExpression(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flip-coin, template: flip}
    - - {name: heads, template: say, when: "{{steps.flip-coin.outputs.result}} == heads"}
      - {name: tails, template: say, when: "{{steps.flip-coin.outputs.result}} == tails"}
    outputs:
      parameters:
      - name: stepresult
        valueFrom:
          expression: "steps['flip-coin'].outputs.result == 'heads' ? steps.heads.outputs.result : steps.tails.outputs.result"
      - name: broken
        valueFrom:
          expression: "steps.nothing.outputs.result"
          default: fallback
  - name: flip
    container: {image: busybox, command: [flip]}
  - name: say
    container: {image: busybox, command: [say]}
`
	for _, coin := range []string{"heads", "tails"} {
		w := workflow(t, src)
		status, _ := simulate(t, w, func(node string, cmd []string) PodResult {
			if cmd[0] == "flip" {
				return succeed(coin)
			}
			return succeed("it was " + strings.TrimPrefix(node, "wf[1]."))
		})
		root := status.Nodes[compile.NodeID("wf", "wf")]
		if status.Phase != Succeeded || root.Outputs == nil {
			t.Fatalf("%s: %s (%s), outputs %+v", coin, status.Phase, status.Message, root.Outputs)
		}
		if got, want := root.Outputs.Parameters["stepresult"], "it was "+coin; got != want {
			t.Errorf("%s: stepresult = %q, want %q", coin, got, want)
		}
		if got := root.Outputs.Parameters["broken"]; got != "fallback" {
			t.Errorf("broken = %q, want its default", got)
		}
	}
}
