package watch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

func retryWorkflow(strategy string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flaky, template: flaky}
  - name: flaky
    container: {image: busybox, command: [sh, -c, "exit 1"], args: ["{{retries}}"]}
    retryStrategy:
` + strategy
}

// failFirst fails the first n attempts (as Failed, exit 1, or with phase),
// then succeeds.
func failFirst(n int, phase Phase) outcome {
	return func(node string, cmd []string) PodResult {
		for i := range n {
			if strings.HasSuffix(node, fmt.Sprintf("(%d)", i)) {
				code := int32(1)
				end := t0
				return PodResult{Phase: phase, ExitCode: &code, Message: "main: Error (exit code 1)", FinishedAt: &end}
			}
		}
		return succeed("ok")
	}
}

// failWith fails the first n attempts with message.
func failWith(n int, message string) outcome {
	fail := failFirst(n, Failed)
	return func(node string, cmd []string) PodResult {
		r := fail(node, cmd)
		if r.Phase == Failed {
			r.Message = message
		}
		return r
	}
}

func TestRetryStrategy(t *testing.T) {
	for _, tc := range []struct {
		name, strategy string
		run            outcome
		phase          Phase
		message        string
		attempts       int
	}{
		{"succeeds on the third attempt", "      limit: 3\n", failFirst(2, Failed), Succeeded, "", 3},
		{"limit reached", "      limit: \"2\"\n", failFirst(5, Failed), Failed, "No more retries left", 3},
		{"OnFailure does not retry errors", "      limit: 3\n", failFirst(5, Error), Error, "main: Error (exit code 1)", 1},
		{"OnError retries errors", "      limit: 3\n      retryPolicy: OnError\n", failFirst(1, Error), Succeeded, "", 2},
		{"OnError does not retry failures", "      limit: 3\n      retryPolicy: OnError\n", failFirst(1, Failed), Failed, "main: Error (exit code 1)", 1},
		{"Always", "      limit: 3\n      retryPolicy: Always\n", failFirst(1, Error), Succeeded, "", 2},
		{"expression stops", "      limit: 5\n      expression: lastRetry.exitCode != '1'\n", failFirst(5, Failed), Failed, "retryStrategy.expression evaluated to false", 1},
		{"expression with retries", "      limit: 5\n      expression: asInt(retries) < 1\n", failFirst(5, Failed), Failed, "retryStrategy.expression evaluated to false", 2},
		{"no limit", "      retryPolicy: Always\n", failFirst(4, Failed), Succeeded, "", 5},
		{"OnTransientError retries a transient message", "      limit: 3\n      retryPolicy: OnTransientError\n", failWith(1, "exceeded quota: compute"), Succeeded, "", 2},
		{"OnTransientError stops on others", "      limit: 3\n      retryPolicy: OnTransientError\n", failWith(1, "main: Error (exit code 1)"), Failed, "main: Error (exit code 1)", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, retryWorkflow(tc.strategy))
			var args []string
			status, _ := simulate(t, w, func(node string, cmd []string) PodResult {
				args = append(args, cmd[len(cmd)-1])
				return tc.run(node, cmd)
			})
			retry := status.Nodes[compile.NodeID("wf", "wf[0].flaky")]
			if retry.Type != compile.NodeRetry || retry.Phase != tc.phase || retry.Message != tc.message || len(retry.Children) != tc.attempts {
				t.Fatalf("retry node %s %s %q with %d attempts; want Retry %s %q with %d", retry.Type, retry.Phase, retry.Message, len(retry.Children), tc.phase, tc.message, tc.attempts)
			}
			for i, a := range args {
				if a != fmt.Sprint(i) {
					t.Errorf("attempt %d got {{retries}} = %s", i, a)
				}
			}
			if (status.Phase == Succeeded) != (tc.phase == Succeeded) {
				t.Errorf("workflow %s with the retry node %s", status.Phase, tc.phase)
			}
			if last := status.Nodes[retry.Children[len(retry.Children)-1]]; last.Name != fmt.Sprintf("wf[0].flaky(%d)", tc.attempts-1) {
				t.Errorf("last attempt named %q", last.Name)
			}
		})
	}
}

// TestRetryBackoff: after a failure the retry node waits its backoff
// (duration * factor^attempt, capped), woken at its end.
func TestRetryBackoff(t *testing.T) {
	w := workflow(t, retryWorkflow("      limit: 3\n      backoff: {duration: \"2\", factor: 3, cap: 5s}\n"))
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
	fail := failFirst(9, Failed)
	for attempt, wantWait := range []time.Duration{2 * time.Second, 5 * time.Second} {
		_, actions := Evaluate(w, obs)
		if len(actions.Create) != 1 {
			t.Fatalf("attempt %d: %d creates", attempt, len(actions.Create))
		}
		r := fail(actions.Create[0].Node, nil)
		end := obs.Now
		r.FinishedAt = &end
		obs.Jobs[actions.Create[0].Job.Name] = r
		status, actions := Evaluate(w, obs)
		retry := status.Nodes[compile.NodeID("wf", "wf[0].flaky")]
		if len(actions.Create) != 0 || actions.WakeAt == nil || !actions.WakeAt.Equal(end.Add(wantWait)) || !strings.HasPrefix(retry.Message, "Backoff for ") {
			t.Fatalf("after attempt %d: %d creates, wake at %v, message %q; want a backoff of %s", attempt, len(actions.Create), actions.WakeAt, retry.Message, wantWait)
		}
		obs.Now = *actions.WakeAt
	}
	if _, actions := Evaluate(w, obs); len(actions.Create) != 1 || !strings.HasSuffix(actions.Create[0].Node, "(2)") {
		t.Errorf("after the backoff, creates %v; want attempt 2", actions.Create)
	}
}

// TestAttemptVars: each attempt of a retried template is given retries and
// the lastRetry.* of the attempt before it, with Argo's values for the
// first, and node.name the retry node's name, as Argo's.
func TestAttemptVars(t *testing.T) {
	start, end := t0, t0.Add(2500*time.Millisecond)
	code := "3"
	failed := &Node{Phase: Failed, Message: "main: Error (exit code 3)", StartedAt: &start, FinishedAt: &end, Outputs: &Outputs{ExitCode: &code}}
	errored := &Node{Phase: Error, Message: "pod deleted"}
	tests := []struct {
		name string
		i    int
		last *Node
		want compile.Vars
	}{
		{"first", 0, nil, compile.Vars{"node.name": "wf[0].try", "retries": "0", "lastRetry.exitCode": "0", "lastRetry.duration": "0", "lastRetry.status": "", "lastRetry.message": ""}},
		{"after a failure", 1, failed, compile.Vars{"node.name": "wf[0].try", "retries": "1", "lastRetry.exitCode": "3", "lastRetry.duration": "2.5", "lastRetry.status": "Failed", "lastRetry.message": "main: Error (exit code 3)"}},
		{"after an error with no pod", 2, errored, compile.Vars{"node.name": "wf[0].try", "retries": "2", "lastRetry.exitCode": "0", "lastRetry.duration": "0", "lastRetry.status": "Error", "lastRetry.message": "pod deleted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, attemptVars("wf[0].try", tt.i, tt.last)); diff != "" {
				t.Errorf("attemptVars (-want +got):\n%s", diff)
			}
		})
	}
}
