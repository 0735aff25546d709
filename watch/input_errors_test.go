package watch

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// lateKeyYAML: use needs a key that only slow, a branch it does not wait
// for, saves.
const lateKeyYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: slow, template: slow}
      - {name: use, template: use}
  - name: slow
    outputs:
      artifacts: [{name: late, path: /out, s3: {key: "{{workflow.name}}/late.json"}}]
    container: {image: busybox, command: [slow]}
  - name: use
    inputs:
      artifacts: [{name: late, path: /in/late.json, s3: {key: "{{workflow.name}}/late.json"}}]
    container: {image: busybox, command: [cat, /in/late.json]}
`

// TestKeyNotFoundSticks: a key that names nothing errs its node once the
// error is recorded, and then for good: the node does not start when
// another branch saves the key later. Until recorded, the node waits.
func TestKeyNotFoundSticks(t *testing.T) {
	w := workflow(t, lateKeyYAML)
	use := compile.NodeID(w.Name, compile.TaskNodeName(w.Name, "use"))
	const msg = "artifact late failed to load: no key found of name wf/late.json"
	slowJob := compile.JobName(w.Name, "slow", compile.TaskNodeName(w.Name, "slow"))
	useJob := compile.JobName(w.Name, "use", compile.TaskNodeName(w.Name, "use"))
	running := PodResult{Phase: Running}
	saved := func() PodResult {
		_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: t0})
		for _, c := range actions.Create {
			if c.Job.Name == slowJob {
				return savedBy(t, c.Job, t0.Add(time.Second), "", compile.StoredArtifact{Name: "late", Files: []compile.StoredFile{{Key: "late.0", Mode: 0o644}}})
			}
		}
		t.Fatal("slow's Job was not created")
		return PodResult{}
	}()
	for _, tc := range []struct {
		name       string
		slow       PodResult
		recorded   map[string]string
		suspended  bool
		wantPhase  Phase
		wantMsg    string
		wantRecord []InputError
		wantUseJob bool
	}{{
		name:       "found nothing: the error is to be recorded first",
		slow:       running,
		wantPhase:  Pending,
		wantRecord: []InputError{{Node: use, Message: msg}},
	}, {
		name:      "recorded: the node errs",
		slow:      running,
		recorded:  map[string]string{use: msg},
		wantPhase: Error, wantMsg: msg,
	}, {
		name:      "recorded, then the key is saved: the node still errs",
		slow:      saved,
		recorded:  map[string]string{use: msg},
		wantPhase: Error, wantMsg: msg,
	}, {
		name:       "the key saved before any error was recorded: the node starts",
		slow:       saved,
		wantPhase:  Pending,
		wantUseJob: true,
	}, {
		name:      "suspended: nothing is looked up, so nothing recorded",
		slow:      running,
		suspended: true,
		wantPhase: Pending,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			obs := Observed{Jobs: map[string]PodResult{slowJob: tc.slow}, InputErrors: tc.recorded, Suspended: tc.suspended, Now: t0.Add(2 * time.Second)}
			status, actions := Evaluate(w, obs)
			n := status.Nodes[use]
			if n == nil || n.Phase != tc.wantPhase || n.Message != tc.wantMsg {
				t.Errorf("use = %+v, want %s %q", n, tc.wantPhase, tc.wantMsg)
			}
			if d := cmp.Diff(tc.wantRecord, actions.RecordInputErrors); d != "" {
				t.Errorf("errors to record (-want +got):\n%s", d)
			}
			created := false
			for _, c := range actions.Create {
				created = created || c.Job.Name == useJob
			}
			if created != tc.wantUseJob {
				t.Errorf("use's Job created: %v, want %v", created, tc.wantUseJob)
			}
		})
	}
}

// TestDriveRecordsInputError: the driver records a key-only input's error
// on the workflow object, where a driver that takes over reads it; retry
// forgets it, so that the node looks its key up again.
func TestDriveRecordsInputError(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: use
  templates:
  - name: use
    inputs:
      artifacts: [{name: late, path: /in/late.json, s3: {key: "{{workflow.name}}/late.json"}}]
    container: {image: busybox, command: [cat, /in/late.json]}
`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	id := compile.NodeID("wf", "wf")
	const msg = "artifact late failed to load: no key found of name wf/late.json"
	recorded := func() map[string]string {
		t.Helper()
		obj, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		obs, err := observedFromObject(obj, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return obs.InputErrors
	}
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "first"})
	if err != nil || status.Phase != Error || status.Message != msg {
		t.Fatalf("%+v, %v; want Error: %s", status, err, msg)
	}
	if d := cmp.Diff(map[string]string{id: msg}, recorded()); d != "" {
		t.Errorf("recorded errors (-want +got):\n%s", d)
	}
	if _, err := Retry(ctx, cs, nil, "ns", "wf"); err != nil {
		t.Fatal(err)
	}
	if got := recorded(); len(got) != 0 {
		t.Errorf("after retry, recorded errors %v, want none", got)
	}
}
