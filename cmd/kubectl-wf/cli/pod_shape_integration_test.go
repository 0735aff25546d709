package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestSidecarsAndDaemons runs templates whose pods hold more than their
// main container: sidecars beside it, and daemons that serve later steps.
func TestSidecarsAndDaemons(t *testing.T) {
	cs, _ := testcluster.Client(t)
	tests := []struct {
		fixture string
		code    int
		phase   watch.Phase
		check   func(t *testing.T, ns string, doc workflowDocument)
	}{
		{fixture: "sidecar.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			// main polled the sidecar until it answered, then ended; the
			// sidecar was stopped and the Job completed.
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, "yes") {
				t.Errorf("main did not read the sidecar's answer:\n%s", logs)
			}
			waitFor(t, 3*time.Minute, func() bool {
				job, err := cs.BatchV1().Jobs(ns).Get(context.Background(), doc.Status.Nodes[doc.Status.Root].Job, metav1.GetOptions{})
				return err == nil && job.Status.Succeeded == 1
			})
		}},
		{fixture: "sidecar-failing.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			if root := doc.Status.Nodes[doc.Status.Root]; root.Message != "helper: Error (exit code 3)" {
				t.Errorf("message %q, want Argo's for a failed sidecar: helper: Error (exit code 3)", root.Message)
			}
		}},
		{fixture: "container-set.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			// fetch first; compile and test after it (one at a time);
			// main last; all in one pod.
			build := nodeByName(doc, ".build")
			want := "fetched compiled tested packaged"
			if build == nil || build.Outputs == nil || build.Outputs.Result == nil || strings.TrimSpace(*build.Outputs.Result) != want {
				t.Fatalf("build's outputs = %+v, want main's output %q", build.Outputs, want)
			}
			if got := strings.Fields(build.Outputs.Parameters["file"]); strings.Join(got, " ") != want {
				t.Errorf("build's file parameter = %q, want the shared log", build.Outputs.Parameters["file"])
			}
			var kids []string
			for _, id := range build.Children {
				c := doc.Status.Nodes[id]
				kids = append(kids, c.DisplayName+" "+c.Type+" "+string(c.Phase))
			}
			if strings.Join(kids, ", ") != "fetch Container Succeeded, compile Container Succeeded, test Container Succeeded, main Container Succeeded" {
				t.Errorf("container nodes: %v", kids)
			}
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, "result="+want) {
				t.Errorf("show did not get the result:\n%s", logs)
			}
			// -c reads another container of the set.
			if code, out, errOut := onCluster(t, ns, "logs", doc.Name, "build", "-c", "test"); code != 0 || !strings.Contains(out, ".build: all tests pass") {
				t.Errorf("logs -c test: exit %d\n%s%s", code, out, errOut)
			}
			if jobs := jobsOf(t, cs, ns, doc.Name); len(jobs) != 2 {
				t.Errorf("Jobs %v, want one for the container set and one for show", jobs)
			}
		}},
		{fixture: "container-set-failing.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			root := doc.Status.Nodes[doc.Status.Root]
			if root.Message != "b: Error (exit code 2)" {
				t.Errorf("message %q, want Argo's: b: Error (exit code 2)", root.Message)
			}
			for name, phase := range map[string]watch.Phase{".a": watch.Succeeded, ".b": watch.Failed, ".c": watch.Failed} {
				if n := nodeByName(doc, name); n == nil || n.Phase != phase {
					t.Errorf("container %s = %+v, want %s", name, n, phase)
				}
			}
			if c := nodeByName(doc, ".c"); c != nil && c.StartedAt != nil {
				t.Errorf("c started (at %v) after b failed", c.StartedAt)
			}
		}},
		{fixture: "output-files.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			// Several file outputs, one missing (its default is used), and
			// the command's own output untouched.
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, "3x4 cm") || !strings.Contains(logs, "measured") {
				t.Errorf("logs lack the measure's output and the outputs passed on:\n%s", logs)
			}
		}},
		{fixture: "daemon.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, "hello from the daemon") {
				t.Errorf("the client did not reach the daemon:\n%s", logs)
			}
			server, client := nodeByName(doc, ".server"), nodeByName(doc, ".client")
			if server == nil || server.Phase != watch.Succeeded || server.Daemoned || server.PodIP == "" {
				t.Fatalf("server = %+v, want Succeeded, no longer daemoned, with its pod IP", server)
			}
			if client.StartedAt.Before(*server.StartedAt) || client.FinishedAt.After(*server.FinishedAt) {
				t.Errorf("the daemon did not outlive the client: server %v–%v, client %v–%v", server.StartedAt, server.FinishedAt, client.StartedAt, client.FinishedAt)
			}
			// The daemon's pod is stopped once the steps end.
			waitFor(t, 3*time.Minute, func() bool {
				pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + doc.Name})
				if err != nil {
					return false
				}
				for _, p := range pods.Items {
					if p.Status.PodIP == server.PodIP && p.DeletionTimestamp == nil {
						return false
					}
				}
				return true
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			code, out, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, tt.fixture))
			if code != tt.code {
				t.Fatalf("submit exited %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			doc := getJSON(t, ns, submitted(t, out))
			if doc.Status.Phase != tt.phase {
				t.Fatalf("phase %s, want %s (%s)", doc.Status.Phase, tt.phase, doc.Status.Message)
			}
			tt.check(t, ns, doc)
		})
	}
}
