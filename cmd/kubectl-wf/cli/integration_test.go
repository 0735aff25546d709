package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// onCluster runs kubectl-wf in process against the local cluster, in ns.
func onCluster(t *testing.T, ns string, args ...string) (int, string, string) {
	t.Helper()
	return run(t, "", append(args, "--kubeconfig", testcluster.Kubeconfig(t), "-n", ns)...)
}

// getJSON reads a workflow as `get -o json` prints it.
func getJSON(t *testing.T, ns, name string) workflowDocument {
	t.Helper()
	code, out, errOut := onCluster(t, ns, "get", name, "-o", "json")
	if code != 0 {
		t.Fatalf("get %s: exit %d: %s", name, code, errOut)
	}
	var doc workflowDocument
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("get -o json: %v\n%s", err, out)
	}
	return doc
}

func nodeByName(doc workflowDocument, suffix string) *watch.Node {
	for _, n := range doc.Status.Nodes {
		if strings.HasSuffix(n.Name, suffix) {
			return n
		}
	}
	return nil
}

// submitted extracts the name from submit's "workflow/NAME created".
func submitted(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if name, ok := strings.CutPrefix(line, "workflow/"); ok {
			return strings.Fields(name)[0]
		}
	}
	t.Fatalf("submit printed no workflow name:\n%s", out)
	return ""
}

// TestSeedWorkflows runs the fixtures on the local cluster and checks the
// phase, exit code and outputs Argo gives for each.
func TestSeedWorkflows(t *testing.T) {
	cs, _ := testcluster.Client(t)
	tests := []struct {
		fixture string
		params  []string
		code    int
		phase   watch.Phase
		check   func(t *testing.T, ns string, doc workflowDocument)
	}{
		{fixture: "hello-world.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			logs := logsOf(t, ns, doc.Name)
			if !strings.Contains(logs, doc.Name+": hello world") {
				t.Errorf("logs lack the greeting:\n%s", logs)
			}
		}},
		{fixture: "script.yaml", phase: watch.Succeeded},
		{fixture: "steps-serial.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			one, two := nodeByName(doc, ".one"), nodeByName(doc, ".two")
			if one == nil || two == nil || one.FinishedAt == nil || two.StartedAt == nil || two.StartedAt.Before(*one.FinishedAt) {
				t.Errorf("step two did not start after step one ended: %+v %+v", one, two)
			}
		}},
		{fixture: "steps-parallel.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			left, right := nodeByName(doc, ".left"), nodeByName(doc, ".right")
			if left == nil || right == nil || left.StartedAt == nil || right.StartedAt == nil ||
				!left.StartedAt.Before(*right.FinishedAt) || !right.StartedAt.Before(*left.FinishedAt) {
				t.Errorf("parallel steps did not overlap: %+v %+v", left, right)
			}
			if doc.Status.Progress != "6/6" {
				t.Errorf("progress %s, want 6/6", doc.Status.Progress)
			}
		}},
		{fixture: "dag-diamond.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			a, d := nodeByName(doc, ".A"), nodeByName(doc, ".D")
			if a == nil || d == nil || d.StartedAt.Before(*a.FinishedAt) {
				t.Errorf("D started before A ended: %+v %+v", a, d)
			}
			if len(doc.Parameters) != 1 || doc.Parameters[0] != (parameter{"prefix", "node"}) {
				t.Errorf("parameters = %v, want prefix=node", doc.Parameters)
			}
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, ".D: node-D") {
				t.Errorf("D did not echo its parameter:\n%s", logs)
			}
		}},
		{fixture: "result-passing.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			logs := logsOf(t, ns, doc.Name)
			if strings.Count(logs, "result was: forty-two") != 2 {
				t.Errorf("the result did not reach both printers:\n%s", logs)
			}
			gen := nodeByName(doc, "[0].generate")
			if gen == nil || gen.Outputs == nil || gen.Outputs.Result == nil || *gen.Outputs.Result != "forty-two" {
				t.Errorf("generate's outputs.result = %+v, want forty-two", gen)
			}
		}},
		{fixture: "inline.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			logs := logsOf(t, ns, doc.Name)
			for _, want := range []string{"hello ann", "hello bob", "42"} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %q:\n%s", want, logs)
				}
			}
			if b := nodeByName(doc, ".graph.B"); b == nil || b.Job != doc.Name+"-"+strings.TrimPrefix(b.ID, doc.Name+"-") {
				t.Errorf("graph.B is %+v, want its Job named WORKFLOW-HASH, as Argo names an inline template's pod", b)
			}
		}},
		{fixture: "step-exit-hooks.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			logs := logsOf(t, ns, doc.Name)
			for _, want := range []string{"cleanup after Succeeded: hello", "cleanup after a task ended"} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %q:\n%s", want, logs)
				}
			}
			for suffix, display := range map[string]string{"[0].produce.onExit": "produce.onExit", ".fail.onExit": "fail.onExit"} {
				if n := nodeByName(doc, suffix); n == nil || n.Phase != watch.Succeeded || n.DisplayName != display {
					t.Errorf("hook %s: %+v, want Succeeded, shown as %s", suffix, n, display)
				}
			}
		}},
		{fixture: "parallelism.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			// The most pods that ran at once, among the nodes named so.
			most := func(contains string) int {
				var spans [][2]time.Time
				for _, n := range doc.Status.Nodes {
					if n.Type == "Pod" && strings.Contains(n.Name, contains) && n.StartedAt != nil && n.FinishedAt != nil {
						spans = append(spans, [2]time.Time{*n.StartedAt, *n.FinishedAt})
					}
				}
				peak := 0
				for _, a := range spans {
					at := 0 // pods running when a started, a included
					for _, b := range spans {
						if !b[0].After(a[0]) && b[1].After(a[0]) {
							at++
						}
					}
					peak = max(peak, at)
				}
				return peak
			}
			if got := most(".wide("); got != 2 {
				t.Errorf("wide ran %d pods at once, want 2", got)
			}
			if got := most(".serial."); got != 1 {
				t.Errorf("serial ran %d pods at once, want 1", got)
			}
		}},
		{fixture: "output-parameters.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, "consume: hello") {
				t.Errorf("the output parameter did not reach consume:\n%s", logs)
			}
		}},
		{fixture: "resource.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			cs, _ := testcluster.Client(t)
			ctx := context.Background()
			made := nodeByName(doc, ".make-configmap")
			if made == nil || made.Outputs == nil || !strings.HasPrefix(made.Outputs.Parameters["name"], "made-by-"+doc.Name+"-") {
				t.Fatalf("make-configmap's name output = %+v", made)
			}
			cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, made.Outputs.Parameters["name"], metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if refs := cm.OwnerReferences; len(refs) != 1 || refs[0].Name != doc.Name {
				t.Errorf("setOwnerReference: %+v, want the workflow object %s", refs, doc.Name)
			}
			job := nodeByName(doc, ".run-job")
			if job == nil || job.Outputs.Parameters["succeeded"] != "1" || !strings.HasPrefix(job.Outputs.Parameters["job-name"], "pi-") {
				t.Errorf("run-job outputs = %+v, want a pi- Job with 1 succeeded pod", job)
			} else if j, err := cs.BatchV1().Jobs(ns).Get(ctx, job.Outputs.Parameters["job-name"], metav1.GetOptions{}); err != nil || j.Status.Succeeded != 1 {
				t.Errorf("Job %s: %v, %v", job.Outputs.Parameters["job-name"], j, err)
			}
			if rb := nodeByName(doc, ".read-back"); rb == nil || rb.Outputs.Parameters["greeting"] != "hello" {
				t.Errorf("read-back = %+v, want greeting hello", rb)
			}
		}},
		{fixture: "active-deadline.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			slow := nodeByName(doc, ".slow")
			want := "Pod was active on the node longer than the specified deadline"
			if slow != nil && slow.StartedAt == nil {
				// A loaded node may not start the pod within the 3 s:
				// Argo fails a node still pending at its timeout so.
				want = "timeout"
			}
			if slow == nil || slow.Phase != watch.Failed || slow.Message != want {
				t.Errorf("slow = %+v, want Failed %q", slow, want)
			}
			if slow != nil && slow.StartedAt != nil && slow.FinishedAt != nil && slow.FinishedAt.Sub(*slow.StartedAt) > 30*time.Second {
				t.Errorf("slow ran %s: the deadline of 3 s did not stop it", slow.FinishedAt.Sub(*slow.StartedAt))
			}
			if nodeByName(doc, ".never") != nil {
				t.Errorf("the step after the deadline ran")
			}
		}},
		{fixture: "timeout.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			slow := nodeByName(doc, ".slow")
			want := "Pod was active on the node longer than the specified deadline"
			if slow != nil && slow.StartedAt == nil {
				// A loaded node may not start the pod within the 3 s:
				// Argo fails a node still pending at its timeout so.
				want = "timeout"
			}
			if slow == nil || slow.Phase != watch.Failed || slow.Message != want {
				t.Errorf("slow = %+v, want Failed %q", slow, want)
			}
			if slow != nil && slow.StartedAt != nil && slow.FinishedAt != nil && slow.FinishedAt.Sub(*slow.StartedAt) > 30*time.Second {
				t.Errorf("slow ran %s: the timeout of 3 s did not stop it", slow.FinishedAt.Sub(*slow.StartedAt))
			}
		}},
		{fixture: "retry-steps.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			want := map[string]watch.Phase{doc.Name: watch.Succeeded, doc.Name + "(0)": watch.Failed, doc.Name + "(0)[0].check": watch.Failed,
				doc.Name + "(1)": watch.Succeeded, doc.Name + "(1)[0].check": watch.Succeeded}
			got := map[string]watch.Phase{}
			for _, n := range doc.Status.Nodes {
				if _, ok := want[n.Name]; ok {
					got[n.Name] = n.Phase
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("nodes (-want +got):\n%s", diff)
			}
			if root := doc.Status.Nodes[doc.Status.Root]; root == nil || root.Type != "Retry" {
				t.Errorf("root %+v, want a Retry node", root)
			}
		}},
		{fixture: "exit-handler.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			exit := doc.Status.Nodes[doc.Status.OnExit]
			if exit == nil || exit.Name != "exit-handler.onExit" || exit.Phase != watch.Succeeded {
				t.Fatalf("exit handler node = %+v, want exit-handler.onExit Succeeded", exit)
			}
			if n := nodeByName(doc, ".celebrate"); n == nil || n.Phase != watch.Skipped {
				t.Errorf("celebrate = %+v, want Skipped", n)
			}
			logs := logsOf(t, ns, doc.Name)
			for _, want := range []string{"notify: workflow exit-handler ended Failed", "cry: boohoo: main: Error (exit code 1)"} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %q:\n%s", want, logs)
				}
			}
			if _, out, _ := onCluster(t, ns, "get", doc.Name); !strings.Contains(out, "exit-handler.onExit") {
				t.Errorf("get does not show the exit handler:\n%s", out)
			}
		}},
		{fixture: "init-container.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, ": hello from the init container") {
				t.Errorf("main did not read what the init container wrote:\n%s", logs)
			}
		}},
		{fixture: "bad-image.yaml", code: ExitFailed, phase: watch.Error, check: func(t *testing.T, ns string, doc workflowDocument) {
			root := doc.Status.Nodes[doc.Status.Root]
			if !strings.Contains(root.Message, "ErrImagePull") && !strings.Contains(root.Message, "ImagePullBackOff") {
				t.Errorf("message %q does not say the image could not be pulled", root.Message)
			}
			cs, _ := testcluster.Client(t)
			waitFor(t, time.Minute, func() bool {
				pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + doc.Name})
				return err == nil && len(pods.Items) == 0
			})
		}},
		{fixture: "steps-failing.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			boom := nodeByName(doc, ".boom")
			if boom == nil || boom.Phase != watch.Failed || boom.Message != "main: Error (exit code 1)" {
				t.Errorf("boom = %+v, want Failed with main: Error (exit code 1)", boom)
			}
			if want := "child '" + boom.ID + "' failed"; doc.Status.Message != want {
				t.Errorf("workflow message %q, want %q", doc.Status.Message, want)
			}
			if nodeByName(doc, ".never") != nil {
				t.Errorf("the step after the failure ran")
			}
		}},
		{fixture: "fail-fast.yaml", code: ExitFailed, phase: watch.Failed, check: func(t *testing.T, ns string, doc workflowDocument) {
			const msg = "template has failed or errored children and failFast enabled"
			if doc.Status.Message != msg {
				t.Errorf("workflow message %q, want %q", doc.Status.Message, msg)
			}
			if g := nodeByName(doc, "[0]"); g == nil || g.Phase != watch.Failed || g.Message != msg {
				t.Errorf("step group = %+v, want Failed %q", g, msg)
			}
			first, failed := nodeByName(doc, ".item(0:0)"), nodeByName(doc, ".item(1:1)")
			if first == nil || first.Phase != watch.Succeeded || failed == nil || failed.Phase != watch.Failed {
				t.Fatalf("items = %+v, %+v; want the first Succeeded, the second Failed", first, failed)
			}
			if failed.StartedAt.Before(*first.FinishedAt) {
				t.Errorf("item 1 started before item 0 ended (parallelism 1)")
			}
			for _, never := range []string{".item(2:0)", ".item(3:0)"} {
				if n := nodeByName(doc, never); n != nil {
					t.Errorf("%s exists (%s); failFast should have stopped it", never, n.Phase)
				}
			}
			if jobs := jobsOf(t, cs, ns, doc.Name); len(jobs) != 2 {
				t.Errorf("Jobs %v, want the two items that ran", jobs)
			}
		}},
		{fixture: "template-defaults.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			want := map[string]watch.Phase{doc.Name + "(0)[0].flaky(0)": watch.Failed, doc.Name + "(0)[0].flaky(1)": watch.Succeeded,
				doc.Name + "(0)[1].greet(0)": watch.Succeeded}
			got := map[string]watch.Phase{}
			for _, n := range doc.Status.Nodes {
				if _, ok := want[n.Name]; ok {
					got[n.Name] = n.Phase
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the defaults' retryStrategy: nodes (-want +got):\n%s", diff)
			}
			if root := doc.Status.Nodes[doc.Status.Root]; root == nil || root.Type != "Retry" {
				t.Errorf("root %+v, want a Retry node: the defaults reach the steps template too", root)
			}
			if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, "hello from the defaults") {
				t.Errorf("greet did not get the defaults' env:\n%s", logs)
			}
		}},
		{fixture: "global-outputs.yaml", phase: watch.Succeeded, check: func(t *testing.T, ns string, doc workflowDocument) {
			if o := doc.Status.Outputs; o == nil || o.Parameters["my-global-param"] != "hello world" {
				t.Errorf("status outputs %+v, want my-global-param=hello world", o)
			}
			if logs := logsOf(t, ns, doc.Name); strings.Count(logs, "got hello world") != 2 {
				t.Errorf("the global output did not reach both the later step and the exit handler:\n%s", logs)
			}
			if exit := doc.Status.Nodes[doc.Status.OnExit]; exit == nil || exit.Phase != watch.Succeeded {
				t.Errorf("exit handler %+v, want Succeeded", exit)
			}
			if _, out, _ := onCluster(t, ns, "get", doc.Name); !strings.Contains(out, "Output Parameters:\n  my-global-param: hello world\n") {
				t.Errorf("get does not show the global output:\n%s", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			args := append([]string{"submit", filepath.Join(fixturesDir, tt.fixture)}, tt.params...)
			code, out, errOut := onCluster(t, ns, args...)
			if code != tt.code {
				t.Fatalf("submit exited %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			doc := getJSON(t, ns, submitted(t, out))
			if doc.Status.Phase != tt.phase {
				t.Fatalf("phase %s, want %s (%s)", doc.Status.Phase, tt.phase, doc.Status.Message)
			}
			if tt.check != nil {
				tt.check(t, ns, doc)
			}
		})
	}
}

func logsOf(t *testing.T, ns, name string) string {
	t.Helper()
	code, out, errOut := onCluster(t, ns, "logs", name)
	if code != 0 {
		t.Fatalf("logs: exit %d: %s", code, errOut)
	}
	return out
}

// TestSuspendAndResumeFromAnotherProcess: the driver waits at a suspend
// step until `resume` (another command) marks it, then finishes.
func TestSuspendAndResumeFromAnotherProcess(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: approve}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: pause, template: pause}
    - - {name: after, template: after}
  - name: pause
    suspend: {}
  - name: after
    container: {image: busybox, command: [echo, approved]}
`)
	done := make(chan int, 1)
	go func() { code, _, _ := onCluster(t, ns, "submit", file); done <- code }()
	waitFor(t, 60*time.Second, func() bool {
		snap, err := watch.Read(context.Background(), cs, ns, "approve")
		if err != nil {
			return false // not created yet
		}
		for _, n := range snap.Status.Nodes {
			if strings.HasSuffix(n.Name, ".pause") && n.Phase == watch.Running {
				return true
			}
		}
		return false
	})
	if code, _, errOut := onCluster(t, ns, "resume", "approve"); code != 0 {
		t.Fatalf("resume: %s", errOut)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("submit exited %d after resume", code)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("the workflow did not end after resume")
	}
	if doc := getJSON(t, ns, "approve"); doc.Status.Phase != watch.Succeeded {
		t.Errorf("phase %s after resume, want Succeeded", doc.Status.Phase)
	}
}

// TestKilledDriverLosesNothing kills the driving process with SIGKILL in
// the middle of a 10-node DAG, continues with `watch` from a new process,
// and checks that every node ran exactly once.
func TestKilledDriverLosesNothing(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	bin := buildBinary(t)
	kubeconfig := testcluster.Kubeconfig(t)
	submit := exec.Command(bin, "submit", filepath.Join(fixturesDir, "dag-wide.yaml"), "--name", "crash", "--kubeconfig", kubeconfig, "-n", ns)
	if err := submit.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once some but not all of the middle tasks' Jobs exist.
	waitFor(t, 90*time.Second, func() bool { return len(jobsOf(t, cs, ns, "crash")) >= 3 })
	if err := submit.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = submit.Wait()
	// The Lease of the dead driver must expire before another takes over.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "watch", "crash", "--kubeconfig", kubeconfig, "-n", ns).CombinedOutput()
	if err != nil {
		t.Fatalf("watch after the kill: %v\n%s", err, out)
	}
	jobs := jobsOf(t, cs, ns, "crash")
	if len(jobs) != 10 {
		t.Errorf("%d Jobs, want 10 (one per node)", len(jobs))
	}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=crash"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 10 {
		t.Errorf("%d pods, want 10: a node ran twice or not at all", len(pods.Items))
	}
	if doc := getJSON(t, ns, "crash"); doc.Status.Phase != watch.Succeeded {
		t.Errorf("phase %s, want Succeeded", doc.Status.Phase)
	}
}

// TestTwoDriversOneDrives starts two watchers on one workflow: exactly one
// takes the Lease, the other follows, both see it end.
func TestTwoDriversOneDrives(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	if code, _, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "steps-serial.yaml"), "--name", "two", "--driver=none"); code != 0 {
		t.Fatalf("submit --driver=none: %s", errOut)
	}
	var wg sync.WaitGroup
	codes, errs := make([]int, 2), make([]string, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, errs[i] = onCluster(t, ns, "watch", "two")
		}()
	}
	wg.Wait()
	following := 0
	for i := range 2 {
		if codes[i] != 0 {
			t.Errorf("watcher %d exited %d: %s", i, codes[i], errs[i])
		}
		if strings.Contains(errs[i], "another driver holds the workflow") {
			following++
		}
	}
	if following != 1 {
		t.Errorf("%d watchers found the workflow held, want exactly 1:\n%q", following, errs)
	}
	if n := len(jobsOf(t, cs, ns, "two")); n != 3 {
		t.Errorf("%d Jobs, want 3", n)
	}
}

func jobsOf(t *testing.T, cs kubernetes.Interface, ns, name string) []string {
	t.Helper()
	list, err := cs.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + name})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range list.Items {
		names = append(names, j.Name)
	}
	return names
}

func waitFor(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "wf.yaml")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// buildBinary builds kubectl-wf once per test run, for tests that must
// kill a real process.
func buildBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kubectl-wf-test-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "kubectl-wf")
		// As releases are built (hack/dist.sh): static and stripped, so
		// that what the tests measure (memory, above all) is what users run.
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", binaryPath, "..")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			binaryErr = err
			t.Logf("%s", out)
		}
	})
	if binaryErr != nil {
		t.Fatalf("building kubectl-wf: %v", binaryErr)
	}
	return binaryPath
}
