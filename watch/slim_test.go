package watch

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// checkedPodState is podState, checked to decide the same on the slim
// objects the driver's informers keep.
func checkedPodState(t *testing.T, job *batchv1.Job, pod *corev1.Pod) PodResult {
	t.Helper()
	want := podState(job, pod)
	var slim *corev1.Pod
	if pod != nil {
		slim = slimPod(pod)
	}
	// Some results are stamped with the time they are read.
	if diff := cmp.Diff(want, podState(slimJob(job), slim), cmpopts.EquateApproxTime(time.Second)); diff != "" {
		t.Errorf("podState on slim objects differs (-full +slim):\n%s", diff)
	}
	return want
}
