package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// runTimeVarsWorkflow prints Argo's run-time variables: the creation time's
// formats, where a step's pod ran (a retried step's last attempt's too),
// lastRetry in a retried container, and the exit handler's failures.
const runTimeVarsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: run-time-vars}
spec:
  entrypoint: main
  onExit: report
  templates:
  - name: main
    steps:
    - - {name: first, template: created}
    - - {name: flaky, template: flaky}
    - - name: show
        template: echo
        arguments: {parameters: [{name: m, value: "first ran on {{steps.first.hostNodeName}}, flaky on {{steps.flaky.hostNodeName}}"}]}
  - name: created
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo created {{workflow.creationTimestamp.RFC3339}} {{workflow.creationTimestamp.s}} {{workflow.creationTimestamp.Y}}"]
  - name: flaky
    retryStrategy: {limit: 1}
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo attempt {{retries}} of {{node.name}} after {{lastRetry.status}}/{{lastRetry.exitCode}}; test {{retries}} = 1 || exit 3"]
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
  - name: report
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo 'failures {{workflow.failures}}'"]
`

// TestRunTimeVarsOnCluster: the variables resolve to what Argo gives, read
// back from the cluster: the pods' nodes, the workflow's creation time.
func TestRunTimeVarsOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, runTimeVarsWorkflow))
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "run-time-vars")
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	hostOf := func(suffix string) string {
		t.Helper()
		n := nodeByName(doc, suffix)
		if n == nil || n.Pod == "" {
			t.Fatalf("node %s = %+v, want a pod", suffix, n)
		}
		pod, err := cs.CoreV1().Pods(ns).Get(context.Background(), n.Pod, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("node %s's pod: %v", suffix, err)
		}
		return pod.Spec.NodeName
	}
	created := doc.Created.UTC()
	logs := logsOf(t, ns, "run-time-vars")
	for _, want := range []string{
		fmt.Sprintf("run-time-vars[0].first: created %s %d %d\n", created.Format(time.RFC3339), created.Unix(), created.Year()),
		"run-time-vars[1].flaky(0): attempt 0 of run-time-vars[1].flaky after /0\n",
		"run-time-vars[1].flaky(1): attempt 1 of run-time-vars[1].flaky after Failed/3\n",
		fmt.Sprintf("run-time-vars[2].show: first ran on %s, flaky on %s\n", hostOf(".first"), hostOf(".flaky(1)")),
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	// Argo gives the failures Go-quoted, so that echo "{{workflow.failures}}"
	// prints JSON; single quotes keep the quoting to read it back.
	_, quoted, ok := strings.Cut(logs, "run-time-vars.onExit: failures ")
	quoted, _, _ = strings.Cut(quoted, "\n")
	raw, err := strconv.Unquote(quoted)
	var failures []struct{ DisplayName, Phase string }
	if err == nil {
		err = json.Unmarshal([]byte(raw), &failures)
	}
	if !ok || err != nil || len(failures) != 1 || failures[0].DisplayName != "flaky(0)" || failures[0].Phase != "Failed" {
		t.Errorf("the exit handler's failures %q (%v): %+v, want flaky(0) Failed", quoted, err, failures)
	}
}
