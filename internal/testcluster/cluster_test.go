package testcluster_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
)

// TestJobCompletes runs the smallest real Job: the Job controller creates a
// pod, the kubelet pulls busybox from the local registry and runs it, and
// its log comes back through the apiserver.
func TestJobCompletes(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "hello"},
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr(int32(0)),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{
					Name: "main", Image: "busybox", Command: []string{"sh", "-c", "echo hello"},
				}},
			}},
		},
	}
	if _, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating job: %v", err)
	}
	waitJobComplete(ctx, t, cs, ns, "hello")

	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/job-name=hello"})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("listing the job's pod: %v (%d pods)", err, len(pods.Items))
	}
	if got := testcluster.PodLogs(t, cs, ns, pods.Items[0].Name, "main"); got != "hello\n" {
		t.Errorf("log = %q, want %q", got, "hello\n")
	}
}

// waitJobComplete watches the Job until it has the Complete condition, and
// fails the test if it gets Failed instead.
func waitJobComplete(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return cs.BatchV1().Jobs(ns).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return cs.BatchV1().Jobs(ns).Watch(ctx, o)
		},
	}
	var failed string
	_, err := watchtools.UntilWithSync(ctx, lw, &batchv1.Job{}, nil, func(e watch.Event) (bool, error) {
		j, ok := e.Object.(*batchv1.Job)
		if !ok {
			return false, nil
		}
		for _, c := range j.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			switch c.Type {
			case batchv1.JobComplete:
				return true, nil
			case batchv1.JobFailed:
				failed = c.Reason + ": " + c.Message
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("waiting for job %s to complete: %v", name, err)
	}
	if failed != "" {
		t.Fatalf("job %s failed: %s", name, failed)
	}
}

// TestImages runs one pod per local image and checks what a workflow step
// relies on: the log through the apiserver, the exit code, and the
// termination message in the pod's status.
func TestImages(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	tests := []struct {
		name      string
		image     string
		command   []string
		args      []string
		wantLog   string
		wantExit  int32
		wantTermi string // termination message, when set
	}{
		{name: "busybox", image: "busybox", command: []string{"sh", "-c", "echo hello"}, wantLog: "hello\n"},
		{name: "busybox-latest", image: "docker.io/library/busybox:latest", command: []string{"echo", "hi"}, wantLog: "hi\n"},
		{
			name: "termination-message", image: "busybox",
			command:   []string{"sh", "-c", "echo -n result-42 > /dev/termination-log"},
			wantTermi: "result-42",
		},
		{name: "exit-code", image: "busybox", command: []string{"sh", "-c", "exit 3"}, wantExit: 3},
		{name: "alpine", image: "alpine:3.23", command: []string{"cat", "/etc/alpine-release"}, wantLog: "3.23"},
		{
			// Alpine's nc -lk keeps listening: two clients are served.
			name: "alpine-nc-keeps-listening", image: "alpine:3.23", command: []string{"sh", "-c"},
			args:    []string{"nc -lk -p 9999 -e /bin/echo served & sleep 1; nc 127.0.0.1 9999 </dev/null && nc 127.0.0.1 9999 </dev/null; kill $!"},
			wantLog: "served\nserved\n",
		},
		{name: "python", image: "python:alpine3.23", command: []string{"python3", "-c", "print(1+1)"}, wantLog: "2\n"},
		{name: "python-alias", image: "python:alpine3.23", command: []string{"python", "-c", "import json; print(json.dumps([1]))"}, wantLog: "[1]\n"},
		{name: "python-sh", image: "python:alpine3.23", command: []string{"sh", "-c", "python3 --version"}, wantLog: "Python 3"},
		{name: "argosay-echo", image: "argoproj/argosay:v2", args: []string{"echo", "hi"}, wantLog: "hi\n"},
		{name: "argosay-greeting", image: "argoproj/argosay:v2", wantLog: "hello argo\n"},
		{
			name: "argosay-file", image: "argoproj/argosay:v2", command: []string{"sh", "-c"},
			args:    []string{"/argosay echo hello /tmp/out/x && /argosay assert_contains /tmp/out/x ell && /argosay cat /tmp/out/x"},
			wantLog: "hello",
		},
		{name: "argosay-exit", image: "argoproj/argosay:v2", args: []string{"exit", "5"}, wantExit: 5},
	}
	// All pods first, so that they run side by side; then one subtest each.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, tc := range tests {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: tc.name},
			Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{
					Name: "main", Image: tc.image, Command: tc.command, Args: tc.args,
				}},
			},
		}
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating pod %s: %v", tc.name, err)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := testcluster.WaitPod(t, cs, ns, tc.name, 2*time.Minute, testcluster.PodFinished)
			if len(p.Status.ContainerStatuses) != 1 || p.Status.ContainerStatuses[0].State.Terminated == nil {
				t.Fatalf("container did not terminate: %+v", p.Status.ContainerStatuses)
			}
			term := p.Status.ContainerStatuses[0].State.Terminated
			if term.ExitCode != tc.wantExit {
				t.Errorf("exit code = %d, want %d (reason %q, message %q)", term.ExitCode, tc.wantExit, term.Reason, term.Message)
			}
			if tc.wantTermi != "" && term.Message != tc.wantTermi {
				t.Errorf("termination message = %q, want %q", term.Message, tc.wantTermi)
			}
			if log := testcluster.PodLogs(t, cs, ns, tc.name, "main"); !strings.Contains(log, tc.wantLog) {
				t.Errorf("log = %q, want it to contain %q", log, tc.wantLog)
			}
		})
	}
}

// TestExec runs a command in a running container through the apiserver and
// the kubelet's streaming server, as `kubectl exec` does (with the machine's
// kubectl, so the test needs no streaming client of its own).
func TestExec(t *testing.T) {
	cs, _ := testcluster.Client(t)
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not on PATH")
	}
	ns := testcluster.Namespace(t, cs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "sleeper"},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr(int64(0)),
			Containers: []corev1.Container{{
				Name: "main", Image: "busybox", Command: []string{"sleep", "3600"},
			}},
		},
	}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating pod: %v", err)
	}
	testcluster.WaitPod(t, cs, ns, "sleeper", 2*time.Minute, func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodRunning
	})
	// Stdout alone: kubectl may log a websocket notice on stderr
	// ("Unknown stream id 1, discarding message") when the command ends.
	cmd := exec.CommandContext(ctx, kubectl, "--kubeconfig", testcluster.Kubeconfig(t),
		"-n", ns, "exec", "sleeper", "--", "sh", "-c", "echo in-$((40+2))")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl exec: %v: %s%s", err, out, stderr.String())
	}
	if got := strings.TrimSpace(string(out)); got != "in-42" {
		t.Errorf("exec output = %q, want %q", got, "in-42")
	}
}

func ptr[T any](v T) *T { return &v }
