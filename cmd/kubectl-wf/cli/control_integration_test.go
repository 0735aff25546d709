package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// submitInBackground submits a workflow file in process and returns the
// channel its exit code arrives on.
func submitInBackground(t *testing.T, ns, file string, args ...string) <-chan int {
	done := make(chan int, 1)
	go func() {
		code, _, _ := onCluster(t, ns, append([]string{"submit", file}, args...)...)
		done <- code
	}()
	return done
}

// waitNode waits until the node whose name ends with suffix is in phase.
func waitNode(t *testing.T, ns, workflow, suffix string, phase watch.Phase) {
	t.Helper()
	cs, _ := testcluster.Client(t)
	waitFor(t, 90*time.Second, func() bool {
		snap, err := watch.Read(context.Background(), cs, ns, workflow)
		if err != nil {
			return false
		}
		for _, n := range snap.Status.Nodes {
			if strings.HasSuffix(n.Name, suffix) && n.Phase == phase {
				return true
			}
		}
		return false
	})
}

func exitCode(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(2 * time.Minute):
		t.Fatal("the driving command did not end")
		return -1
	}
}

const longStepYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: long}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: sleep, template: sleep}
    - - {name: after, template: after}
  - name: sleep
    container: {image: busybox, command: [sh, -c, "trap exit TERM; sleep 300 & wait"]}
  - name: after
    container: {image: busybox, command: [echo, after]}
`

// TestStopAndTerminate: stopping a workflow stops its running pod, starts
// nothing new, and fails the workflow with Argo's message; the driving
// `submit` exits 1.
func TestStopAndTerminate(t *testing.T) {
	cs, _ := testcluster.Client(t)
	for _, verb := range []string{"stop", "terminate"} {
		t.Run(verb, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			done := submitInBackground(t, ns, writeTemp(t, longStepYAML))
			waitNode(t, ns, "long", ".sleep", watch.Running)
			if code, out, errOut := onCluster(t, ns, verb, "long"); code != 0 || !strings.Contains(out, "workflow/long") {
				t.Fatalf("%s: exit %d: %s%s", verb, code, out, errOut)
			}
			if code := exitCode(t, done); code != ExitFailed {
				t.Errorf("submit exited %d after %s, want 1", code, verb)
			}
			doc := getJSON(t, ns, "long")
			strategy := map[string]string{"stop": "Stop", "terminate": "Terminate"}[verb]
			want := "Stopped with strategy '" + strategy + "'"
			if doc.Status.Phase != watch.Failed || doc.Status.Message != want {
				t.Errorf("workflow %s %q, want Failed %q", doc.Status.Phase, doc.Status.Message, want)
			}
			if n := nodeByName(doc, ".sleep"); n == nil || n.Phase != watch.Failed || n.Message != want {
				t.Errorf("sleep node = %+v, want Failed %q", n, want)
			}
			if jobs := jobsOf(t, cs, ns, "long"); len(jobs) != 1 {
				t.Errorf("Jobs %v: the step after the stop was started", jobs)
			}
			waitFor(t, time.Minute, func() bool {
				pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=long"})
				return err == nil && len(pods.Items) == 0
			})
		})
	}
}

// TestStopWithNoDriver: with nobody driving, stop itself carries the
// shutdown out.
func TestStopWithNoDriver(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	if code, _, errOut := onCluster(t, ns, "submit", writeTemp(t, longStepYAML), "--driver=none"); code != 0 {
		t.Fatalf("submit --driver=none: %s", errOut)
	}
	if code, _, errOut := onCluster(t, ns, "stop", "long"); code != 0 {
		t.Fatalf("stop: %s", errOut)
	}
	if doc := getJSON(t, ns, "long"); doc.Status.Phase != watch.Failed {
		t.Errorf("phase %s after stop, want Failed", doc.Status.Phase)
	}
	if jobs := jobsOf(t, cs, ns, "long"); len(jobs) != 0 {
		t.Errorf("Jobs %v created after stop, want none", jobs)
	}
}

// TestSuspendWorkflowAndResumeOneNode: `suspend` holds the next step back
// while the running one ends; `resume --node-field-selector` resumes only
// the matching suspend node.
func TestSuspendWorkflowAndResumeOneNode(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	done := submitInBackground(t, ns, writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: gates}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: work, template: work}
    - - {name: first, template: gate}
      - {name: second, template: gate}
    - - {name: after, template: work}
  - name: work
    container: {image: busybox, command: [sh, -c, "sleep 3; echo done"]}
  - name: gate
    suspend: {}
`))
	waitNode(t, ns, "gates", ".work", watch.Running)
	if code, _, errOut := onCluster(t, ns, "suspend", "gates"); code != 0 {
		t.Fatalf("suspend: %s", errOut)
	}
	waitNode(t, ns, "gates", "[0].work", watch.Succeeded)
	if code, out, _ := onCluster(t, ns, "get", "gates"); code != 0 || !strings.Contains(out, "Running (Suspended)") {
		t.Errorf("get while suspended:\n%s", out)
	}
	time.Sleep(2 * time.Second) // give a wrong driver time to start the gates
	snap, err := watch.Read(context.Background(), cs, ns, "gates")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range snap.Status.Nodes {
		if n.Type == compile.NodeSuspend && n.Phase != watch.Pending {
			t.Fatalf("suspend node %s is %s while the workflow is suspended", n.Name, n.Phase)
		}
	}
	// Resume lifts the suspend; the gates are reached only after it, so
	// that resume does not pass them (Argo's rule).
	if code, _, errOut := onCluster(t, ns, "resume", "gates"); code != 0 {
		t.Fatalf("resume: %s", errOut)
	}
	waitNode(t, ns, "gates", ".first", watch.Running)
	waitNode(t, ns, "gates", ".second", watch.Running)
	if code, out, errOut := onCluster(t, ns, "resume", "gates", "--node-field-selector", "displayName=first"); code != 0 || !strings.Contains(out, "(1 node(s))") {
		t.Fatalf("resume first: exit %d: %s%s", code, out, errOut)
	}
	waitNode(t, ns, "gates", ".first", watch.Succeeded)
	doc := getJSON(t, ns, "gates")
	if n := nodeByName(doc, ".second"); n == nil || n.Phase != watch.Running {
		t.Errorf("second = %+v, want still Running", n)
	}
	if code, _, _ := onCluster(t, ns, "resume", "gates", "--node-field-selector", "displayName=nothing"); code != ExitFailed {
		t.Errorf("resume with a selector matching nothing exited %d, want 1", code)
	}
	if code, _, errOut := onCluster(t, ns, "resume", "gates", "--node-field-selector", "displayName=second"); code != 0 {
		t.Fatalf("resume second: %s", errOut)
	}
	if code := exitCode(t, done); code != 0 {
		t.Errorf("submit exited %d, want 0", code)
	}
}

// TestRetryRunsFailedNodesOnly: a step fails while a ConfigMap it reads is
// missing; once it exists, `retry` reruns only the failed step (the
// succeeded one keeps its single pod) and the workflow Succeeds.
func TestRetryRunsFailedNodesOnly(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: flaky}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: first, template: first}
    - - {name: gated, template: gated}
      - {name: lookup, template: lookup}
  - name: first
    container: {image: busybox, command: [echo, one]}
  - name: gated
    volumes: [{name: gate, configMap: {name: gate, optional: true}}]
    container:
      image: busybox
      command: [sh, -c, "cat /gate/open"]
      volumeMounts: [{name: gate, mountPath: /gate}]
  - name: lookup
    resource:
      action: get
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: gate}
`)
	if code, _, errOut := onCluster(t, ns, "submit", file); code != ExitFailed {
		t.Fatalf("submit exited %d, want 1: %s", code, errOut)
	}
	doc := getJSON(t, ns, "flaky")
	if n := nodeByName(doc, ".lookup"); n == nil || n.Phase != watch.Failed || !strings.Contains(n.Message, "not found") {
		t.Errorf("lookup = %+v, want Failed: not found", n)
	}
	if code, _, _ := onCluster(t, ns, "list", "--status", "Failed", "-o", "name"); code != 0 {
		t.Errorf("list --status Failed exited %d", code)
	} else if _, out, _ := onCluster(t, ns, "list", "--status", "Failed", "-o", "name"); strings.TrimSpace(out) != "workflow/flaky" {
		t.Errorf("list --status Failed = %q, want workflow/flaky", out)
	} else if _, out, _ := onCluster(t, ns, "list", "--status", "Succeeded", "-o", "name"); out != "" {
		t.Errorf("list --status Succeeded = %q, want nothing", out)
	}
	if _, out, _ := onCluster(t, ns, "list", "-o", "jsonpath={range .items[*]}{.name}:{.phase}:{.progress}{end}"); out != "flaky:Failed:1/3" {
		t.Errorf("list -o jsonpath = %q, want flaky:Failed:1/3", out)
	}
	gate := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "gate"}, Data: map[string]string{"open": "yes"}}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), gate, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := onCluster(t, ns, "retry", "flaky")
	if code != 0 {
		t.Fatalf("retry exited %d:\n%s%s", code, out, errOut)
	}
	if first := strings.SplitN(out, "\n", 2)[0]; first != "workflow/flaky retried (flaky[1].gated, flaky[1].lookup)" {
		t.Errorf("retry said %q, want it to reset gated and lookup only", first)
	}
	doc = getJSON(t, ns, "flaky")
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase after retry %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=flaky"})
	if err != nil {
		t.Fatal(err)
	}
	byNode := map[string]int{}
	for _, p := range pods.Items {
		byNode[p.Annotations[compile.AnnotationNodeName]]++
	}
	if byNode["flaky[0].first"] != 1 || byNode["flaky[1].gated"] != 1 {
		t.Errorf("pods per node %v: want first's original pod and gated's new one", byNode)
	}
	if logs := logsOf(t, ns, "flaky"); !strings.Contains(logs, "flaky[1].gated: yes") {
		t.Errorf("gated did not read the gate on retry:\n%s", logs)
	}
}

// TestLogsFollow: `logs -f` prints each pod's lines as the workflow runs
// and returns when it has ended.
func TestLogsFollow(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	done := submitInBackground(t, ns, writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: chatty}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: one, template: talk}
    - - {name: two, template: talk}
  - name: talk
    container: {image: busybox, command: [sh, -c, "for i in 1 2 3; do echo line $i; sleep 1; done"]}
`))
	waitNode(t, ns, "chatty", ".one", watch.Running)
	type result struct {
		code int
		out  string
	}
	logs := make(chan result, 1)
	go func() {
		code, out, _ := onCluster(t, ns, "logs", "-f", "chatty")
		logs <- result{code, out}
	}()
	if code := exitCode(t, done); code != 0 {
		t.Fatalf("submit exited %d", code)
	}
	select {
	case r := <-logs:
		for _, want := range []string{"chatty[0].one: line 1", "chatty[0].one: line 3", "chatty[1].two: line 1", "chatty[1].two: line 3"} {
			if r.code != 0 || !strings.Contains(r.out, want) {
				t.Errorf("logs -f (exit %d) lacks %q:\n%s", r.code, want, r.out)
			}
		}
	case <-time.After(time.Minute):
		t.Fatal("logs -f did not return after the workflow ended")
	}
}

// TestSubmitDetachDrivesInTheBackground: --detach returns at once and a
// background process drives the workflow to its end.
func TestSubmitDetachDrivesInTheBackground(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	t.Setenv(executableEnv, buildBinary(t))
	code, out, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "steps-serial.yaml"), "--name", "bg", "--detach", "-o", "name")
	if code != 0 || out != "workflow/bg\n" || !strings.Contains(errOut, "driving it in the background (pid ") {
		t.Fatalf("submit --detach: exit %d\n%s%s", code, out, errOut)
	}
	waitFor(t, 2*time.Minute, func() bool {
		snap, err := watch.Read(context.Background(), cs, ns, "bg")
		return err == nil && snap.Status.Phase == watch.Succeeded
	})
	if jobs := jobsOf(t, cs, ns, "bg"); len(jobs) != 3 {
		t.Errorf("%d Jobs, want 3", len(jobs))
	}
}

// TestResourceFlags: a JSON patch names its target with flags, and delete
// takes a label selector, as kubectl does in Argo's resource templates.
func TestResourceFlags(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: flags}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - {name: patch, template: patch}
    - - {name: read, template: read}
    - - {name: clean, template: clean}
  - name: make
    resource:
      action: create
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: target, labels: {app: kwf-flags}}
        data: {colour: red}
  - name: patch
    resource:
      action: patch
      mergeStrategy: json
      flags: [configmap, target]
      manifest: |
        - op: replace
          path: /data/colour
          value: blue
  - name: read
    resource:
      action: get
      flags: [configmap/target]
    outputs:
      parameters:
      - name: colour
        valueFrom: {jsonPath: '{.data.colour}'}
  - name: clean
    resource:
      action: delete
      flags: [configmap, --selector, app=kwf-flags]
`)
	if code, out, errOut := onCluster(t, ns, "submit", file); code != 0 {
		t.Fatalf("submit exited %d:\n%s%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "flags")
	if n := nodeByName(doc, ".read"); n == nil || n.Outputs == nil || n.Outputs.Parameters["colour"] != "blue" {
		t.Errorf("read = %+v, want colour blue after the JSON patch", n)
	}
	if _, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), "target", metav1.GetOptions{}); err == nil {
		t.Errorf("the ConfigMap survived the delete by selector")
	}
}

// TestRetryStrategyOnCluster: each attempt is a Job of its own; the step
// succeeds on its third attempt ({{retries}} is the attempt's number),
// after a backoff; with a smaller limit the workflow fails with Argo's
// message; OnError does not retry a failure; an expression reads the last
// attempt's real exit code and status.
func TestRetryStrategyOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	const thirdTime = "test {{retries}} -ge 2"
	for _, tc := range []struct {
		name     string
		strategy string
		command  string
		code     int
		phase    watch.Phase
		message  string
		jobs     int
	}{
		{"limit 3", "{limit: 3, backoff: {duration: 1s}}", thirdTime, 0, watch.Succeeded, "", 3},
		{"limit 1", "{limit: 1, backoff: {duration: 1s}}", thirdTime, ExitFailed, watch.Failed, "No more retries left", 2},
		{"OnError", "{limit: 3, retryPolicy: OnError}", thirdTime, ExitFailed, watch.Failed, "main: Error (exit code 1)", 1},
		{"expression", `{limit: 5, expression: "asInt(lastRetry.exitCode) == 1 && lastRetry.status == 'Failed'"}`,
			"exit $(({{retries}} + 1))", ExitFailed, watch.Failed, "retryStrategy.expression evaluated to false", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: retried}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flaky, template: flaky}
  - name: flaky
    retryStrategy: `+tc.strategy+`
    container: {image: busybox, command: [sh, -c, "echo attempt {{retries}}; `+tc.command+`"]}
`)
			if code, out, errOut := onCluster(t, ns, "submit", file); code != tc.code {
				t.Fatalf("submit exited %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			doc := getJSON(t, ns, "retried")
			retry := nodeByName(doc, ".flaky")
			if doc.Status.Phase != tc.phase || retry == nil || retry.Type != "Retry" || retry.Message != tc.message || len(retry.Children) != tc.jobs {
				t.Fatalf("workflow %s, retry node %+v; want %s, a Retry node %q with %d attempts", doc.Status.Phase, retry, tc.phase, tc.message, tc.jobs)
			}
			if jobs := jobsOf(t, cs, ns, "retried"); len(jobs) != tc.jobs {
				t.Errorf("%d Jobs, want one per attempt (%d)", len(jobs), tc.jobs)
			}
			logs := logsOf(t, ns, "retried")
			for i := range tc.jobs {
				if want := fmt.Sprintf("retried[0].flaky(%d): attempt %d", i, i); !strings.Contains(logs, want) {
					t.Errorf("logs lack %q:\n%s", want, logs)
				}
			}
		})
	}
}

// TestContinueOnOnCluster: a step and a task that fail with continueOn
// failed do not fail their parents; what follows them runs.
func TestContinueOnOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: carry-on}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: fails, template: fail, continueOn: {failed: true}}
    - - {name: graph, template: graph}
  - name: graph
    dag:
      tasks:
      - {name: A, template: fail, continueOn: {failed: true}}
      - {name: B, template: ok, dependencies: [A]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 3"]}
  - name: ok
    container: {image: busybox, command: [echo, carried on]}
`)
	if code, out, errOut := onCluster(t, ns, "submit", file); code != 0 {
		t.Fatalf("submit exited %d:\n%s%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "carry-on")
	if doc.Status.Phase != watch.Succeeded {
		t.Errorf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	for _, suffix := range []string{".fails", ".A"} {
		if n := nodeByName(doc, suffix); n == nil || n.Phase != watch.Failed || n.Message != "main: Error (exit code 3)" {
			t.Errorf("%s = %+v, want Failed with its exit code", suffix, n)
		}
	}
	if logs := logsOf(t, ns, "carry-on"); !strings.Contains(logs, "graph.B: carried on") {
		t.Errorf("B did not run:\n%s", logs)
	}
}

// TestWorkflowActiveDeadline: spec.activeDeadlineSeconds stops the running
// step at the deadline and the workflow fails, without waiting for the
// step's own end.
func TestWorkflowActiveDeadline(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, strings.Replace(longStepYAML, "spec:\n", "spec:\n  activeDeadlineSeconds: 5\n", 1))
	start := time.Now()
	if code, out, errOut := onCluster(t, ns, "submit", file); code != ExitFailed {
		t.Fatalf("submit exited %d, want 1\n%s%s", code, out, errOut)
	}
	if took := time.Since(start); took > 60*time.Second {
		t.Errorf("the workflow took %s with a 5 s deadline", took)
	}
	doc := getJSON(t, ns, "long")
	if n := nodeByName(doc, ".sleep"); doc.Status.Phase != watch.Failed || n == nil || n.Message != "Pod was active on the node longer than the specified deadline" {
		t.Errorf("workflow %s, sleep = %+v", doc.Status.Phase, n)
	}
	if jobs := jobsOf(t, cs, ns, "long"); len(jobs) != 1 {
		t.Errorf("Jobs %v: a step started after the deadline", jobs)
	}
}

// TestResourceActions: apply, replace, a merge patch and a delete by name
// act on a ConfigMap as kubectl would in Argo's resource templates.
func TestResourceActions(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: actions}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: apply, template: apply}
    - - {name: replace, template: replace}
    - - {name: patch, template: patch}
    - - {name: read, template: read}
    - - {name: delete, template: delete}
  - name: apply
    resource:
      action: apply
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: target}
        data: {a: "1"}
  - name: replace
    resource:
      action: replace
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: target}
        data: {b: "2"}
  - name: patch
    resource:
      action: patch
      mergeStrategy: merge
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: target}
        data: {c: "3"}
  - name: read
    resource:
      action: get
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: target}
    outputs:
      parameters:
      - name: data
        valueFrom: {jqFilter: '.data | keys | join(",")'}
  - name: delete
    resource:
      action: delete
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: target}
`)
	if code, out, errOut := onCluster(t, ns, "submit", file); code != 0 {
		t.Fatalf("submit exited %d:\n%s%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "actions")
	// replace dropped a; the merge patch added c.
	if n := nodeByName(doc, ".read"); n == nil || n.Outputs == nil || n.Outputs.Parameters["data"] != "b,c" {
		t.Errorf("read = %+v, want data keys b,c", n)
	}
	if _, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), "target", metav1.GetOptions{}); err == nil {
		t.Errorf("the ConfigMap survived the delete")
	}
}

// TestPodDisruptionBudgetOnCluster: spec.podDisruptionBudget exists while
// the workflow runs, selecting its pods, and is gone once it has ended.
func TestPodDisruptionBudgetOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	done := submitInBackground(t, ns, writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: pdb
spec:
  entrypoint: main
  podDisruptionBudget:
    minAvailable: 9999
  templates:
    - name: main
      container:
        image: busybox
        command: [sleep, "4"]
`))
	waitNode(t, ns, "pdb", "pdb", watch.Running)
	pdb, err := cs.PolicyV1().PodDisruptionBudgets(ns).Get(context.Background(), "pdb", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("while running: %v", err)
	}
	if pdb.Spec.MinAvailable.IntValue() != 9999 || pdb.Spec.Selector.MatchLabels[compile.LabelWorkflow] != "pdb" {
		t.Errorf("PodDisruptionBudget spec %+v", pdb.Spec)
	}
	if code := exitCode(t, done); code != 0 {
		t.Fatalf("submit exited %d", code)
	}
	if _, err := cs.PolicyV1().PodDisruptionBudgets(ns).Get(context.Background(), "pdb", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after the end: %v, want not found", err)
	}
}

// TestTTLStrategyOnCluster: a workflow with ttlStrategy is deleted, with
// its Jobs, a while after it ended, by Kubernetes' own TTL controller and
// garbage collector.
func TestTTLStrategyOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: ttl
spec:
  entrypoint: main
  ttlStrategy:
    secondsAfterCompletion: 600
    secondsAfterSuccess: 2
  templates:
    - name: main
      container:
        image: busybox
        command: ["true"]
`)
	if code, out, errOut := onCluster(t, ns, "submit", file); code != 0 {
		t.Fatalf("submit: exit %d\n%s%s", code, out, errOut)
	}
	if doc := getJSON(t, ns, "ttl"); doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s", doc.Status.Phase)
	}
	waitFor(t, 60*time.Second, func() bool {
		_, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), "ttl", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
	waitFor(t, 60*time.Second, func() bool {
		jobs, err := cs.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
		return err == nil && len(jobs.Items) == 0
	})
}

// TestWorkflowMutexOnCluster: two workflows holding one mutex run one
// after the other; the second waits Pending with Argo's message.
func TestWorkflowMutexOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: mutex-
spec:
  entrypoint: main
  synchronization:
    mutexes:
      - name: only-one
  templates:
    - name: main
      container:
        image: busybox
        command: [sleep, "3"]
`)
	first := submitInBackground(t, ns, file, "--name", "first")
	waitNode(t, ns, "first", "first", watch.Running)
	second := submitInBackground(t, ns, file, "--name", "second")
	waitFor(t, 30*time.Second, func() bool {
		snap, err := watch.Read(context.Background(), cs, ns, "second")
		return err == nil && snap.Status.Phase == watch.Pending &&
			snap.Status.Message == "Waiting for "+ns+"/Mutex/only-one lock. Lock status: 0/1"
	})
	if code := exitCode(t, first); code != 0 {
		t.Fatalf("first exited %d", code)
	}
	if code := exitCode(t, second); code != 0 {
		t.Fatalf("second exited %d", code)
	}
	a, b := getJSON(t, ns, "first"), getJSON(t, ns, "second")
	ra, rb := a.Status.Nodes[a.Status.Root], b.Status.Nodes[b.Status.Root]
	if ra.FinishedAt == nil || rb.StartedAt == nil || rb.StartedAt.Before(*ra.FinishedAt) {
		t.Errorf("the two ran at once: first %v–%v, second from %v", ra.StartedAt, ra.FinishedAt, rb.StartedAt)
	}
	leases, err := cs.CoordinationV1().Leases(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "kubectl-wf.dev/role=lock"})
	if err != nil || len(leases.Items) != 0 {
		t.Errorf("locks left: %d (%v)", len(leases.Items), err)
	}
}
