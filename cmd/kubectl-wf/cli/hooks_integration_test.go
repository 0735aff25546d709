package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestLifecycleHooks runs a workflow-level running hook, a step's running
// and success hooks and spec.hooks.exit: each runs once, after the event
// its expression names, as a child of the node it watches.
func TestLifecycleHooks(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "lifecycle-hooks.yaml"))
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, submitted(t, out))
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	logs := logsOf(t, ns, doc.Name)
	for _, want := range []string{"hook: workflow running", "hook: work running", "hook: work succeeded", "hook: workflow ended Succeeded"} {
		if strings.Count(logs, want) != 1 {
			t.Errorf("logs have %q %d times, want once:\n%s", want, strings.Count(logs, want), logs)
		}
	}
	work := nodeByName(doc, "[0].work")
	running, success := nodeByName(doc, ".work.hooks.running"), nodeByName(doc, ".work.hooks.success")
	if work == nil || running == nil || success == nil {
		t.Fatalf("nodes work %v, running hook %v, success hook %v", work, running, success)
	}
	if running.StartedAt.After(*work.FinishedAt) {
		t.Errorf("the running hook started at %v, after work ended at %v", running.StartedAt, work.FinishedAt)
	}
	if success.StartedAt.Before(*work.FinishedAt) {
		t.Errorf("the success hook started at %v, before work ended at %v", success.StartedAt, work.FinishedAt)
	}
	if !strings.Contains(strings.Join(work.Children, ","), running.ID) {
		t.Errorf("the running hook is not a child of work: %v", work.Children)
	}
	if nodeByName(doc, ".hooks.running") == nil || doc.Status.Nodes[doc.Status.OnExit] == nil {
		t.Errorf("the workflow's running hook or its exit hook is missing")
	}
}
