package watch

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestSuspendHoldsBackNewNodes: under `suspend`, a running step goes on
// but the next group does not start; nothing is created until resumed.
func TestSuspendHoldsBackNewNodes(t *testing.T) {
	w := workflow(t, stepsYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
	_, actions := Evaluate(w, obs)
	gen := actions.Create[0].Job.Name
	obs.Jobs[gen] = PodResult{Phase: Running}
	obs.Suspended = true
	status, actions := Evaluate(w, obs)
	if status.Phase != Running || !status.Suspended || len(actions.Create) != 0 {
		t.Fatalf("suspended while gen runs: %s suspended=%v, %d creates", status.Phase, status.Suspended, len(actions.Create))
	}
	obs.Jobs[gen] = succeed("42")
	status, actions = Evaluate(w, obs)
	if status.Phase != Running || len(actions.Create) != 0 {
		t.Fatalf("suspended after gen ended: %s, %d creates; want Running and none", status.Phase, len(actions.Create))
	}
	if n := status.Nodes[compile.NodeID("wf", "wf[1].a")]; n == nil || n.Phase != Pending {
		t.Errorf("held-back step a = %+v, want Pending", n)
	}
	obs.Suspended = false
	if _, actions = Evaluate(w, obs); len(actions.Create) != 2 {
		t.Errorf("after resume %d creates, want group 1's two", len(actions.Create))
	}
}

// TestShutdownStopsRunningAndFailsTheRest: Argo's Stop and Terminate fail
// the running node with "Stopped with strategy '…'" (its Job to be
// stopped), start nothing new, and the workflow ends Failed with that
// message.
func TestShutdownStopsRunningAndFailsTheRest(t *testing.T) {
	for _, strategy := range []string{Stop, Terminate} {
		t.Run(strategy, func(t *testing.T) {
			w := workflow(t, stepsYAML)
			obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
			_, actions := Evaluate(w, obs)
			gen := actions.Create[0].Job.Name
			started := t0.Add(-time.Second)
			obs.Jobs[gen] = PodResult{Phase: Running, StartedAt: &started}
			obs.Shutdown = strategy
			status, actions := Evaluate(w, obs)
			want := "Stopped with strategy '" + strategy + "'"
			if status.Phase != Failed || status.Message != want {
				t.Errorf("workflow %s %q, want Failed %q", status.Phase, status.Message, want)
			}
			if len(actions.Create) != 0 || len(actions.StopJobs) != 1 || actions.StopJobs[0].Job != gen ||
				actions.StopJobs[0].Result.Phase != Failed || actions.StopJobs[0].Result.Message != want {
				t.Errorf("actions: %d creates, stops %+v; want gen stopped with %q", len(actions.Create), actions.StopJobs, want)
			}
			// Once the verdict is recorded on the Job, nothing more to do.
			obs.Jobs[gen] = actions.StopJobs[0].Result
			if status, actions = Evaluate(w, obs); status.Phase != Failed || len(actions.StopJobs) != 0 {
				t.Errorf("after recording: %s, %d stops", status.Phase, len(actions.StopJobs))
			}
		})
	}
}

// TestDeadlineStopsThePod: once a running pod's activeDeadlineSeconds has
// passed, its node fails with the kubelet's message and its Job is
// stopped, without waiting for the kubelet's next sync; before that, the
// driver is woken at the deadline.
func TestDeadlineStopsThePod(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: slow
  templates:
  - name: slow
    activeDeadlineSeconds: 3
    container: {image: busybox, command: [sleep, "60"]}
`)
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
	_, actions := Evaluate(w, obs)
	job := actions.Create[0].Job.Name
	obs.Jobs[job] = PodResult{Phase: Running, StartedAt: &t0}
	obs.Now = t0.Add(2 * time.Second)
	status, actions := Evaluate(w, obs)
	if status.Phase != Running || actions.WakeAt == nil || !actions.WakeAt.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("before the deadline: %s, wake at %v; want Running, woken at t0+3s", status.Phase, actions.WakeAt)
	}
	obs.Now = t0.Add(3 * time.Second)
	status, actions = Evaluate(w, obs)
	want := "Pod was active on the node longer than the specified deadline"
	if status.Phase != Failed || len(actions.StopJobs) != 1 || actions.StopJobs[0].Result.Message != want ||
		!actions.StopJobs[0].Result.FinishedAt.Equal(t0.Add(3*time.Second)) {
		t.Errorf("at the deadline: %s, stops %+v; want Failed and the Job stopped with %q", status.Phase, actions.StopJobs, want)
	}
}

// TestShutdownFailsATimedSuspend: a suspend with a duration still running
// fails on stop, as an indefinite one does.
func TestShutdownFailsATimedSuspend(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: wait
  templates:
  - name: wait
    suspend: {duration: "60"}
`)
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{"wf": {StartedAt: t0}}, Now: t0.Add(time.Second), Shutdown: Stop}
	if status, _ := Evaluate(w, obs); status.Phase != Failed || status.Message != "Stopped with strategy 'Stop'" {
		t.Errorf("workflow %s %q, want Failed with the stop message", status.Phase, status.Message)
	}
}

// TestProgressCountsSucceededOnly: Argo's progress counts a failed pod as
// 0 of 1, and suspend nodes as pods.
func TestProgressCountsSucceededOnly(t *testing.T) {
	w := workflow(t, stepsYAML)
	status, _ := simulate(t, w, func(node string, cmd []string) PodResult {
		if strings.HasSuffix(node, ".b") {
			return exitWith(1)
		}
		return succeed("42")
	})
	if status.Phase != Failed || status.Progress != "2/3" {
		t.Errorf("status %s %s, want Failed 2/3 (gen and a succeeded, b failed, c never started)", status.Phase, status.Progress)
	}
}

// TestWorkflowDeadline: once spec.activeDeadlineSeconds has passed since
// the workflow started, the running pod is stopped with the kubelet's
// message, nothing new starts ("Step exceeded its deadline"), and the
// workflow fails; before, the driver is woken at the deadline.
func TestWorkflowDeadline(t *testing.T) {
	w := workflow(t, strings.Replace(stepsYAML, "spec:\n", "spec:\n  activeDeadlineSeconds: 10\n", 1))
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0, StartedAt: &t0}
	_, actions := Evaluate(w, obs)
	gen := actions.Create[0].Job.Name
	if actions.WakeAt == nil || !actions.WakeAt.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("wake at %v, want the deadline", actions.WakeAt)
	}
	obs.Jobs[gen] = PodResult{Phase: Running, StartedAt: &t0}
	obs.Now = t0.Add(10 * time.Second)
	status, actions := Evaluate(w, obs)
	if status.Phase != Failed || len(actions.Create) != 0 || len(actions.StopJobs) != 1 ||
		actions.StopJobs[0].Result.Message != "Pod was active on the node longer than the specified deadline" {
		t.Errorf("at the deadline: %s, %d creates, stops %+v", status.Phase, len(actions.Create), actions.StopJobs)
	}
	// Had gen ended just before, the next group would fail unstarted.
	obs.Jobs[gen] = succeed("42")
	status, actions = Evaluate(w, obs)
	a := status.Nodes[compile.NodeID("wf", "wf[1].a")]
	if status.Phase != Failed || len(actions.Create) != 0 || a == nil || a.Message != "Step exceeded its deadline" {
		t.Errorf("after the deadline: %s, %d creates, a = %+v", status.Phase, len(actions.Create), a)
	}
}

// TestSpecSuspendStartsSuspended: a workflow submitted with spec.suspend
// starts suspended: nothing is created until it is resumed.
func TestSpecSuspendStartsSuspended(t *testing.T) {
	cs := fake.NewClientset()
	docs, diags := compile.ParseFile("wf.yaml", []byte(strings.Replace(stepsYAML, "spec:\n", "spec:\n  suspend: true\n", 1)))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := context.Background()
	w, obj, err := Create(ctx, cs, docs[0], compile.Options{Namespace: "ns"}, false)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := observedFromObject(obj, t0)
	if err != nil {
		t.Fatal(err)
	}
	if status, actions := Evaluate(w, obs); !status.Suspended || len(actions.Create) != 0 {
		t.Errorf("suspended %v with %d creates, want suspended and none", status.Suspended, len(actions.Create))
	}
	if _, err := Resume(ctx, cs, "ns", w.Name, t0, nil); err != nil {
		t.Fatal(err)
	}
	obj, _ = cs.CoreV1().ConfigMaps("ns").Get(ctx, w.Name, metav1.GetOptions{})
	obs, _ = observedFromObject(obj, t0)
	if status, actions := Evaluate(w, obs); status.Suspended || len(actions.Create) != 1 {
		t.Errorf("after resume: suspended %v with %d creates, want the first step created", status.Suspended, len(actions.Create))
	}
}
