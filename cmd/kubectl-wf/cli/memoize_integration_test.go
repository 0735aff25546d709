package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

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
