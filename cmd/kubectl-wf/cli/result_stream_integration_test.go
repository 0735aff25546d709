package cli

import (
	"testing"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// resultStreamWorkflow's script writes diagnostics to stderr between two
// lines of stdout; a loop's results, which Argo gathers into a JSON list
// for withParam, must hold stdout alone for the consumer to parse them.
const resultStreamWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: result-stream}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: speak, template: speak}
    - - name: echo
        template: echo
        arguments: {parameters: [{name: m, value: "{{steps.speak.outputs.result}}"}]}
  - name: speak
    script:
      image: busybox
      command: [sh]
      source: |
        echo first
        echo "diagnostic: working" >&2
        sleep 1
        echo second
        echo "diagnostic: done" >&2
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`

// TestResultIsStdoutOnCluster: outputs.result is main's stdout alone, as
// Argo's, on the local cluster, whose apiserver and kubelet enable the
// PodLogsQuerySplitStreams gate (hack/cluster). Clusters without it give
// both streams (docs/compat.md); refusesStream's test covers the fallback.
func TestResultIsStdoutOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, resultStreamWorkflow))
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "result-stream")
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	n := nodeByName(doc, ".speak")
	if n == nil || n.Outputs == nil || n.Outputs.Result == nil {
		t.Fatalf("node speak = %+v, want a result", n)
	}
	if got, want := *n.Outputs.Result, "first\nsecond"; got != want {
		t.Errorf("speak's result = %q, want %q (stdout alone)", got, want)
	}
}
