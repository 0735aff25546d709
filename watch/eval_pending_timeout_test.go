package watch

import (
	"testing"
	"time"
)

// TestPendingTimeout: a pod node still pending at its template's
// pendingTimeout (or timeout), counted from its Job's creation, fails
// with Argo's "timeout" and its Job is stopped; before that, the driver
// is woken at the deadline; a running pod is not affected.
func TestPendingTimeout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields string
		phase  Phase
		age    time.Duration
		want   Phase
		wake   time.Duration // from t0; 0: no wake-up
	}{
		{"pending past pendingTimeout", "pendingTimeout: 30s", Pending, 31 * time.Second, Failed, 0},
		{"pending before pendingTimeout", "pendingTimeout: 30s", Pending, 10 * time.Second, Pending, 20 * time.Second},
		{"a bare number is seconds", "pendingTimeout: \"30\"", Pending, 31 * time.Second, Failed, 0},
		{"pending past timeout", "timeout: 20s", Pending, 21 * time.Second, Failed, 0},
		{"the sooner of the two", "timeout: 1m\n    pendingTimeout: 40s", Pending, 10 * time.Second, Pending, 30 * time.Second},
		{"running is not pending", "pendingTimeout: 30s", Running, time.Minute, Running, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    `+tc.fields+`
    container: {image: busybox}
`)
			obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
			_, actions := Evaluate(w, obs)
			if len(actions.Create) != 1 {
				t.Fatalf("%d creates, want 1", len(actions.Create))
			}
			created := t0.Add(-tc.age)
			obs.Jobs[actions.Create[0].Job.Name] = PodResult{Phase: tc.phase, Created: &created}
			status, actions := Evaluate(w, obs)
			// The driver's Evaluator, which remembers the pending limit of
			// a node whose Job it built, decides the same the second time.
			ev := NewEvaluator(w)
			ev.Evaluate(obs)
			if again, againActions := ev.Evaluate(obs); again.Phase != status.Phase || len(againActions.StopJobs) != len(actions.StopJobs) {
				t.Errorf("the Evaluator's second evaluation: phase %s, %d stops; a fresh one: %s, %d", again.Phase, len(againActions.StopJobs), status.Phase, len(actions.StopJobs))
			}
			if status.Phase != tc.want {
				t.Fatalf("phase %s (%s), want %s", status.Phase, status.Message, tc.want)
			}
			if tc.want == Failed && (status.Nodes[status.Root].Message != "timeout" || len(actions.StopJobs) != 1) {
				t.Errorf("message %q, %d Jobs stopped; want timeout and the Job stopped", status.Nodes[status.Root].Message, len(actions.StopJobs))
			}
			switch {
			case tc.wake == 0 && actions.WakeAt != nil && tc.want != Failed:
				t.Errorf("woken at %v, want no wake-up", actions.WakeAt)
			case tc.wake != 0 && (actions.WakeAt == nil || !actions.WakeAt.Equal(t0.Add(tc.wake))):
				t.Errorf("woken at %v, want %v", actions.WakeAt, t0.Add(tc.wake))
			}
		})
	}
}
