package cli

import (
	"context"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestFollowWaitsForTheAPIServerThenTakesOver: a follower whose reads are
// refused (the apiserver away) keeps trying; once it reads the workflow
// and finds its driver's lease expired, it takes over and drives it to
// its end.
func TestFollowWaitsForTheAPIServerThenTakesOver(t *testing.T) {
	docs, diags := compile.ParseFile("wf.yaml", []byte(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: pause
  templates:
  - name: pause
    suspend: {duration: "0"}
`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns", Name: "wf"})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := w.WorkflowObject()
	if err != nil {
		t.Fatal(err)
	}
	obj.UID = "uid-1"
	expired := metav1.NewMicroTime(time.Now().Add(-time.Minute))
	cs := fake.NewClientset(obj, &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns"},
		Spec:       coordinationv1.LeaseSpec{HolderIdentity: ptr.To("dead"), RenewTime: &expired, LeaseDurationSeconds: ptr.To(int32(15))},
	})
	var refused atomic.Int64
	cs.PrependReactor("get", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
		if refused.Add(1) <= 2 {
			return true, nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		}
		return false, nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := watch.Config{Namespace: "ns", Name: "wf", Identity: "follower"}
	status, err := follow(ctx, cs, cfg, newProgressView(io.Discard, "wf", true))
	if err != nil || status == nil || status.Phase != watch.Succeeded {
		t.Fatalf("follow: %+v, %v; want the workflow Succeeded", status, err)
	}
	if refused.Load() < 3 {
		t.Errorf("%d reads, want the 2 refused ones and more", refused.Load())
	}
	lease, err := cs.CoordinationV1().Leases("ns").Get(ctx, "wf", metav1.GetOptions{})
	if err != nil || ptr.Deref(lease.Spec.LeaseTransitions, 0) < 1 {
		t.Errorf("the lease was not taken over: %+v, %v", lease, err)
	}
}
