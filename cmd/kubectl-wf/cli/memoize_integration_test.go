package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// A memoized pod whose output differs on every run (the time in
// nanoseconds): a run that gives the first run's output took it from the
// cache.
const memoizedYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: memo-
spec:
  entrypoint: stamp
  arguments:
    parameters:
      - name: who
        value: world
  templates:
    - name: stamp
      inputs:
        parameters:
          - name: who
      memoize:
        key: "stamp-{{inputs.parameters.who}}"
        maxAge: 1h
        cache:
          configMap:
            name: stamp-cache
      container:
        image: busybox
        command: [sh, -c, "date +%s%N > /tmp/stamp"]
      outputs:
        parameters:
          - name: stamp
            valueFrom:
              path: /tmp/stamp
`

// TestMemoizeOnCluster submits a memoized workflow twice: the first run
// misses, runs its pod and saves the output in the cache ConfigMap, which
// it creates labelled as Argo's; the second hits: it creates no Job, and
// Succeeds with the first run's output.
func TestMemoizeOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()
	file := writeTemp(t, memoizedYAML)

	if code, out, errOut := onCluster(t, ns, "submit", file, "--name", "memo-first"); code != 0 {
		t.Fatalf("first submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if jobs := jobsOf(t, cs, ns, "memo-first"); len(jobs) != 1 {
		t.Errorf("the first run made Jobs %v, want one", jobs)
	}
	first := getJSON(t, ns, "memo-first")
	node := first.Status.Nodes[first.Status.Root]
	want := watch.MemoizationStatus{Key: "stamp-world", CacheName: "stamp-cache"}
	if node.Memoization == nil || *node.Memoization != want {
		t.Errorf("first run's memoizationStatus %+v, want %+v", node.Memoization, want)
	}
	stamp := node.Outputs.Parameters["stamp"]
	if stamp == "" {
		t.Fatalf("the first run output no stamp: %+v", node.Outputs)
	}
	cache, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, "stamp-cache", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the cache: %v", err)
	}
	var entry struct {
		NodeID  string `json:"nodeID"`
		Outputs struct {
			Parameters []struct{ Name, Value string } `json:"parameters"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(cache.Data["stamp-world"]), &entry); err != nil {
		t.Fatalf("entry stamp-world of %v: %v", cache.Data, err)
	}
	if cache.Labels["workflows.argoproj.io/configmap-type"] != "Cache" || entry.NodeID != node.ID ||
		len(entry.Outputs.Parameters) != 1 || entry.Outputs.Parameters[0].Value != stamp {
		t.Errorf("cache labels %v, entry %+v: want Argo's label and node %s's stamp %s", cache.Labels, entry, node.ID, stamp)
	}

	if code, out, errOut := onCluster(t, ns, "submit", file, "--name", "memo-second"); code != 0 {
		t.Fatalf("second submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if jobs := jobsOf(t, cs, ns, "memo-second"); len(jobs) != 0 {
		t.Errorf("the second run made Jobs %v, want none", jobs)
	}
	second := getJSON(t, ns, "memo-second")
	hit := second.Status.Nodes[second.Status.Root]
	want.Hit = true
	if second.Status.Phase != watch.Succeeded || hit.Memoization == nil || *hit.Memoization != want {
		t.Errorf("second run %s with memoizationStatus %+v, want Succeeded, %+v", second.Status.Phase, hit.Memoization, want)
	}
	if got := hit.Outputs.Parameters["stamp"]; got != stamp {
		t.Errorf("second run's stamp %q, want the first run's %q", got, stamp)
	}
	if second.Status.Progress != "1/1" {
		t.Errorf("second run's progress %q, want 1/1", second.Status.Progress)
	}
}

// TestMemoizeSimpleExample runs Argo's examples/memoize-simple.yaml, from
// ARGO_EXAMPLES as the conformance run finds it: it Succeeds, and leaves
// its output in the cache.
func TestMemoizeSimpleExample(t *testing.T) {
	dir := os.Getenv("ARGO_EXAMPLES")
	if dir == "" {
		dir = "../../../../shared/argo-examples"
	}
	example := filepath.Join(dir, "memoize-simple.yaml")
	if _, err := os.Stat(example); err != nil {
		t.Skipf("Argo's examples are not here (set ARGO_EXAMPLES): %v", err)
	}
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", example)
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, submitted(t, out))
	if doc.Status.Phase != watch.Succeeded {
		t.Errorf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	if got := doc.Status.Nodes[doc.Status.Root].Outputs.Parameters["hello"]; got != "world" {
		t.Errorf("output hello = %q, want world", got)
	}
	cache, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), "cache-config", metav1.GetOptions{})
	if err != nil || cache.Data["cache-key"] == "" {
		t.Errorf("the cache cache-config: %v, data %v; want its entry cache-key", err, cache)
	}
}

// A memoized step that runs long enough to kill its driver meanwhile,
// and a step that uses its output.
const memoTakeoverYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: memo-takeover}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: slow, template: slow}
    - - {name: after, template: echo, arguments: {parameters: [{name: v, value: "{{steps.slow.outputs.parameters.stamp}}"}]}}
  - name: slow
    memoize: {key: slow, cache: {configMap: {name: takeover-cache}}}
    container: {image: busybox, command: [sh, -c, "sleep 8; date +%s%N > /tmp/stamp"]}
    outputs:
      parameters:
      - {name: stamp, valueFrom: {path: /tmp/stamp}}
  - name: echo
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
`

// TestMemoizeDecisionSurvivesTakeover kills the driver (SIGKILL) while a
// memoized step that missed runs, after an entry for its key has appeared
// in the cache: the driver that takes over keeps the recorded miss, so
// the step's own pod, run once, gives its output, which is what is saved
// and what the next step gets.
func TestMemoizeDecisionSurvivesTakeover(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()
	bin := buildBinary(t)
	if code, _, errOut := onCluster(t, ns, "submit", writeTemp(t, memoTakeoverYAML), "--driver=none"); code != 0 {
		t.Fatalf("submit --driver=none: %s", errOut)
	}
	first := exec.Command(bin, "watch", "memo-takeover", "--kubeconfig", testcluster.Kubeconfig(t), "-n", ns)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	t.Cleanup(func() { _ = first.Process.Kill() })
	waitNode(t, ns, "memo-takeover", ".slow", watch.Running)
	planted := `{"nodeID":"elsewhere","outputs":{"parameters":[{"name":"stamp","value":"planted"}]},"creationTimestamp":"` +
		time.Now().UTC().Format(time.RFC3339) + `","lastHitTimestamp":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "takeover-cache", Labels: map[string]string{"workflows.argoproj.io/configmap-type": "Cache"}},
		Data:       map[string]string{"slow": planted},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	killedAt := time.Now()
	// This driver waits for the dead one's Lease to run out, then drives.
	if code, out, errOut := onCluster(t, ns, "watch", "memo-takeover"); code != 0 {
		t.Fatalf("watch after the kill exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	t.Logf("the workflow ended %v after the kill", time.Since(killedAt).Round(time.Second))
	doc := getJSON(t, ns, "memo-takeover")
	slow, after := nodeByName(doc, ".slow"), nodeByName(doc, ".after")
	if doc.Status.Phase != watch.Succeeded || slow == nil || after == nil {
		t.Fatalf("phase %s (%s), nodes slow %v after %v", doc.Status.Phase, doc.Status.Message, slow, after)
	}
	if slow.Memoization == nil || slow.Memoization.Hit {
		t.Errorf("slow's memoizationStatus %+v, want the recorded miss", slow.Memoization)
	}
	stamp := slow.Outputs.Parameters["stamp"]
	if stamp == "" || stamp == "planted" {
		t.Errorf("slow's stamp %q, want its own pod's", stamp)
	}
	if jobs := jobsOf(t, cs, ns, "memo-takeover"); len(jobs) != 2 {
		t.Errorf("Jobs %v, want one per step", jobs)
	}
	if logs := logsOf(t, ns, "memo-takeover"); !strings.Contains(logs, stamp) {
		t.Errorf("after was not given slow's stamp %s; logs:\n%s", stamp, logs)
	}
	cache, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, "takeover-cache", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if entry := cache.Data["slow"]; !strings.Contains(entry, `"nodeID":"`+slow.ID+`"`) || !strings.Contains(entry, stamp) {
		t.Errorf("the cache's entry %s, want slow's (%s) with its stamp %s", entry, slow.ID, stamp)
	}
}
