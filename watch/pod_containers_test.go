package watch

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

func TestDaemonState(t *testing.T) {
	daemonJob := func(recorded map[string]string) *batchv1.Job {
		ann := map[string]string{compile.AnnotationDaemon: "true"}
		for k, v := range recorded {
			ann[k] = v
		}
		return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Annotations: ann}}
	}
	running := func(ready bool) *corev1.Pod {
		return &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.88.0.7",
			ContainerStatuses: []corev1.ContainerStatus{{Name: "main", Ready: ready, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}}}
	}
	for _, tc := range []struct {
		name     string
		job      *batchv1.Job
		pod      *corev1.Pod
		daemoned bool
		ip       string
	}{
		{"not a daemon", &batchv1.Job{}, running(true), false, ""},
		{"not ready yet", daemonJob(nil), running(false), false, ""},
		{"ready", daemonJob(nil), running(true), true, "10.88.0.7"},
		{"recorded, then no longer ready", daemonJob(map[string]string{AnnotationDaemoned: "10.88.0.3"}), running(false), true, "10.88.0.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := checkedPodState(t, tc.job, tc.pod)
			if r.Phase != Running || r.Daemoned != tc.daemoned || r.PodIP != tc.ip {
				t.Errorf("podState = %s daemoned=%v ip=%q, want Running %v %q", r.Phase, r.Daemoned, r.PodIP, tc.daemoned, tc.ip)
			}
		})
	}
	t.Run("a daemon that ends by itself fails", func(t *testing.T) {
		pod := &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{{Name: "main",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}}}}
		if r := checkedPodState(t, daemonJob(nil), pod); r.Phase != Failed {
			t.Errorf("phase = %s, want Failed", r.Phase)
		}
	})
}

func TestSidecarFailureFailsThePod(t *testing.T) {
	job := &batchv1.Job{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{InitContainers: []corev1.Container{
		{Name: "setup"},
		{Name: "proxy", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)},
	}}}}}
	term := func(code int32, reason string) *corev1.ContainerStateTerminated {
		return &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason}
	}
	mainDone := []corev1.ContainerStatus{{Name: "main", State: corev1.ContainerState{Terminated: term(0, "Completed")}}}
	for _, tc := range []struct {
		name    string
		inits   []corev1.ContainerStatus
		phase   Phase
		message string
	}{
		{"sidecar still running", []corev1.ContainerStatus{{Name: "proxy", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}, Succeeded, ""},
		{"sidecar stopped by SIGTERM", []corev1.ContainerStatus{{Name: "proxy", State: corev1.ContainerState{Terminated: term(143, "Error")}}}, Succeeded, ""},
		{"sidecar killed", []corev1.ContainerStatus{{Name: "proxy", State: corev1.ContainerState{Terminated: term(137, "Error")}}}, Succeeded, ""},
		{"sidecar failed", []corev1.ContainerStatus{{Name: "proxy", State: corev1.ContainerState{Terminated: term(2, "Error")}}}, Failed, "proxy: Error (exit code 2)"},
		{"sidecar crashed and was restarted", []corev1.ContainerStatus{{Name: "proxy", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
			LastTerminationState: corev1.ContainerState{Terminated: term(1, "Error")}}}, Failed, "proxy: Error (exit code 1)"},
		{"an init container is no sidecar", []corev1.ContainerStatus{{Name: "setup", State: corev1.ContainerState{Terminated: term(3, "Error")}}}, Succeeded, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, InitContainerStatuses: tc.inits, ContainerStatuses: mainDone}}
			if r := checkedPodState(t, job, pod); r.Phase != tc.phase || r.Message != tc.message {
				t.Errorf("podState = %s %q, want %s %q", r.Phase, r.Message, tc.phase, tc.message)
			}
		})
	}
}

// TestFailedInitContainer: the first init container that exited with an
// error, not a native sidecar (failedSidecar's), and only once the pod
// failed.
func TestFailedInitContainer(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	job := &batchv1.Job{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "kubectl-wf-artifacts", RestartPolicy: &always}, {Name: "kubectl-wf-fetch"}, {Name: "setup"}},
	}}}}
	exited := func(name string, code int32) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, Reason: "Error"}}}
	}
	for _, tc := range []struct {
		name      string
		podPhase  corev1.PodPhase
		statuses  []corev1.ContainerStatus
		wantPhase Phase
		wantMsg   string
	}{
		{"kubectl-wf's own errs", corev1.PodFailed, []corev1.ContainerStatus{exited("kubectl-wf-artifacts", 0), exited("kubectl-wf-fetch", 1)}, Error, "kubectl-wf-fetch: Error (exit code 1)"},
		{"the template's fails", corev1.PodFailed, []corev1.ContainerStatus{exited("kubectl-wf-fetch", 0), exited("setup", 2)}, Failed, "setup: Error (exit code 2)"},
		{"a native sidecar is failedSidecar's", corev1.PodFailed, []corev1.ContainerStatus{exited("kubectl-wf-artifacts", 1)}, "", ""},
		{"not failed yet", corev1.PodPending, []corev1.ContainerStatus{exited("setup", 2)}, "", ""},
		{"all went well", corev1.PodFailed, []corev1.ContainerStatus{exited("kubectl-wf-fetch", 0), exited("setup", 0)}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{Status: corev1.PodStatus{Phase: tc.podPhase, InitContainerStatuses: tc.statuses}}
			if phase, msg := failedInitContainer(job, pod); phase != tc.wantPhase || msg != tc.wantMsg {
				t.Errorf("failedInitContainer = %q %q, want %q %q", phase, msg, tc.wantPhase, tc.wantMsg)
			}
		})
	}
}
