package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodState(t *testing.T) {
	job := &batchv1.Job{}
	terminated := func(code int32, reason string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: "main", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason, FinishedAt: metav1.Now()}}}
	}
	for _, tc := range []struct {
		name    string
		status  corev1.PodStatus
		phase   Phase
		message string
	}{
		{"succeeded", corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{terminated(0, "Completed")}}, Succeeded, ""},
		{"exit code", corev1.PodStatus{Phase: corev1.PodFailed, ContainerStatuses: []corev1.ContainerStatus{terminated(3, "Error")}}, Failed, "main: Error (exit code 3)"},
		{"ended before the pod's phase says so", corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{terminated(0, "Completed")}}, Succeeded, ""},
		{"deadline", corev1.PodStatus{Phase: corev1.PodFailed, Reason: "DeadlineExceeded", Message: "Pod was active on the node longer than the specified deadline",
			ContainerStatuses: []corev1.ContainerStatus{terminated(137, "Error")}}, Failed, "Pod was active on the node longer than the specified deadline"},
		{"image", corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "main",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "not found"}}}}}, Error, "main: ErrImagePull: not found"},
		// The kubelet's own pull throttle: it pulls again, and succeeds.
		{"pull throttled", corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "main",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "pull QPS exceeded"}}}}}, Pending, "ErrImagePull"},
		{"pull throttled, backing off", corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "main",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "busybox": ErrImagePull: pull QPS exceeded`}}}}}, Pending, "ImagePullBackOff"},
		{"running", corev1.PodStatus{Phase: corev1.PodRunning}, Running, ""},
		// An init container failed, so main never started: Argo errs the
		// node for its own init container, fails it for the template's.
		{"fetching an artifact failed", failedInit("kubectl-wf-fetch", "artifact a failed to load: 404 Not Found"), Error,
			"kubectl-wf-fetch: Error (exit code 1): artifact a failed to load: 404 Not Found"},
		{"the template's init container failed", failedInit("setup", ""), Failed, "setup: Error (exit code 1)"},
		{"failed with no container to blame", corev1.PodStatus{Phase: corev1.PodFailed}, Failed, "pod Failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := checkedPodState(t, job, &corev1.Pod{Status: tc.status})
			if r.Phase != tc.phase || r.Message != tc.message {
				t.Errorf("podState = %s %q, want %s %q", r.Phase, r.Message, tc.phase, tc.message)
			}
		})
	}
}

// failedInit is a failed pod whose init container name exited 1 with
// message, main waiting behind it.
func failedInit(name, message string) corev1.PodStatus {
	return corev1.PodStatus{Phase: corev1.PodFailed,
		InitContainerStatuses: []corev1.ContainerStatus{{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: message}}}},
		ContainerStatuses:     []corev1.ContainerStatus{{Name: "main", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}}}
}

// TestDecodedResultsFollowTheAnnotation: a result is decoded again only
// when its Job's annotation changed, and reads as recordedResult reads it.
func TestDecodedResultsFollowTheAnnotation(t *testing.T) {
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Annotations: map[string]string{}}}
	c := decodedResults{}
	if _, ok := c.read(job); ok {
		t.Fatal("a Job with no result read as recorded")
	}
	for _, raw := range []string{`{"phase":"Running"}`, `{"phase":"Succeeded","exitCode":0}`, `{"phase":"Failed","message":"m"}`, `not json`} {
		job.Annotations[AnnotationResult] = raw
		got, ok := c.read(job)
		want, _ := recordedResult(job)
		if !ok || !cmp.Equal(got, want) {
			t.Errorf("%s: read %+v, %v; want %+v", raw, got, ok, want)
		}
		if again, _ := c.read(job); !cmp.Equal(again, want) {
			t.Errorf("%s: read again %+v", raw, again)
		}
	}
}

// TestHostNodeNameRecorded: the node a pod ran on is read from its spec and
// kept in the result written on its Job, so a driver started later still
// gives {{steps.X.hostNodeName}}.
func TestHostNodeNameRecorded(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: corev1.PodSpec{NodeName: "worker-1"},
		Status: corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{{Name: "main",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}}}}}
	r := checkedPodState(t, &batchv1.Job{}, pod)
	if r.HostNodeName != "worker-1" {
		t.Fatalf("podState's HostNodeName = %q, want worker-1", r.HostNodeName)
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Annotations: map[string]string{AnnotationResult: mustJSON(r)}}}
	recorded, ok := recordedResult(job)
	if !ok || recorded.HostNodeName != "worker-1" {
		t.Errorf("recorded result %+v (%v), want hostNodeName worker-1", recorded, ok)
	}
}
