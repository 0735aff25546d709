package watch

import (
	"context"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestDeleteJobsWaitsUntilGone: a foreground deletion leaves the Job in
// place until its pods are gone; deleteJobs returns only once it is.
func TestDeleteJobsWaitsUntilGone(t *testing.T) {
	cs := fake.NewClientset()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, name := range []string{"a", "b"} {
		job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{compile.LabelWorkflow: "wf"}}}
		if _, err := cs.BatchV1().Jobs("ns").Create(ctx, job, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The API accepts the deletion but the Job stays, as while the
	// garbage collector deletes its pods.
	cs.PrependReactor("delete", "jobs", func(clienttesting.Action) (bool, runtime.Object, error) { return true, nil, nil })
	gone := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		for _, name := range []string{"a", "b"} {
			if err := cs.Tracker().Delete(batchv1.SchemeGroupVersion.WithResource("jobs"), "ns", name); err != nil {
				t.Error(err)
			}
		}
		close(gone)
	}()
	if err := deleteJobs(ctx, cs, "ns", "wf", []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gone:
	default:
		t.Fatal("deleteJobs returned while the Jobs still existed")
	}
}
