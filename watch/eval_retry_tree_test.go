package watch

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A steps or dag template with a retryStrategy runs its whole tree again
// as attempt NAME(1) when attempt NAME(0) failed; spec.retryStrategy
// applies to every template without one.
func TestRetryOfStepsAndDAGTemplates(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		rounds    [][]string
	}{{
		name: "steps template",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 2}
    steps:
    - - {name: first, template: run}
    - - {name: flaky, template: run}
  - name: run
    container: {image: busybox}
`,
		rounds: [][]string{{"wf(0)[0].first"}, {"wf(0)[1].flaky"}, {"wf(1)[0].first"}, {"wf(1)[1].flaky"}},
	}, {
		name: "spec.retryStrategy on a dag and its pods",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  retryStrategy: {limit: 1}
  templates:
  - name: main
    dag:
      tasks:
      - {name: flaky, template: run}
  - name: run
    container: {image: busybox}
`,
		// The pod's own retry succeeds first: the DAG is not retried.
		rounds: [][]string{{"wf(0).flaky(0)"}, {"wf(0).flaky(1)"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			failed := false
			status, rounds := simulate(t, workflow(t, tc.src), func(node string, _ []string) PodResult {
				if strings.Contains(node, "flaky") && !failed {
					failed = true
					return exitWith(1)
				}
				return succeed("")
			})
			if status.Phase != Succeeded {
				t.Errorf("phase %s (%s)", status.Phase, status.Message)
			}
			if diff := cmp.Diff(tc.rounds, rounds); diff != "" {
				t.Errorf("rounds (-want +got):\n%s", diff)
			}
		})
	}
}
