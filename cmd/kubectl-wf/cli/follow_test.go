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
	cs := deadDriversWorkflow(t, `suspend: {duration: "0"}`)
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

// TestFollowKeepsFollowingWhenAnotherTakesOverFirst: a follower that
// finds the driver's lease expired tries to take over; when another
// follower got there first (a fresh lease that is not its own), it
// follows that one until the workflow ends, and never takes the lease.
func TestFollowKeepsFollowingWhenAnotherTakesOverFirst(t *testing.T) {
	cs := deadDriversWorkflow(t, `suspend: {}`)
	// The follower's first read sees the expired lease; by the time it
	// tries to take it, "other" holds it afresh.
	var gets atomic.Int64
	taken := make(chan struct{})
	cs.PrependReactor("get", "leases", func(clienttesting.Action) (bool, runtime.Object, error) {
		if gets.Add(1) == 1 {
			return false, nil, nil
		}
		if gets.Load() == 2 {
			close(taken)
		}
		now := metav1.NewMicroTime(time.Now())
		return true, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns"},
			Spec:       coordinationv1.LeaseSpec{HolderIdentity: ptr.To("other"), RenewTime: &now, LeaseDurationSeconds: ptr.To(int32(15))},
		}, nil
	})
	// The follower then waits for the workflow object to change: list,
	// then watch.
	var lists atomic.Int64
	waiting := make(chan struct{})
	cs.PrependReactor("list", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
		select {
		case <-taken:
			if lists.Add(1) == 1 {
				close(waiting)
			}
		default:
		}
		return false, nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		// "other" drives the workflow to its end, as its driver would
		// record it on the workflow object.
		<-waiting
		time.Sleep(200 * time.Millisecond)
		cur, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		if cur.Annotations == nil {
			cur.Annotations = map[string]string{}
		}
		cur.Annotations[watch.AnnotationPhase] = string(watch.Succeeded)
		cur.ResourceVersion = "2"
		if _, err := cs.CoreV1().ConfigMaps("ns").Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
			t.Error(err)
		}
	}()
	cfg := watch.Config{Namespace: "ns", Name: "wf", Identity: "follower"}
	start := time.Now()
	status, err := follow(ctx, cs, cfg, newProgressView(io.Discard, "wf", true))
	if err != nil || status == nil {
		t.Fatalf("follow: %+v, %v; want it to follow to the end", status, err)
	}
	for _, a := range cs.Actions() {
		if a.GetResource().Resource == "leases" && (a.GetVerb() == "update" || a.GetVerb() == "create") {
			t.Errorf("the follower wrote the lease (%s): it took over from a live driver", a.GetVerb())
		}
	}
	if gets.Load() < 2 {
		t.Errorf("%d lease reads: the follower never tried to take over", gets.Load())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("followed for %v: the workflow object's change did not wake it", took)
	}
}

// deadDriversWorkflow is a fake cluster holding workflow wf, whose one
// template is the suspend given, and the Lease of a driver that died a
// minute ago. The workflow object has resourceVersion 1: the fake
// tracker keeps what it is given, and waitForChange compares versions.
func deadDriversWorkflow(t *testing.T, suspend string) *fake.Clientset {
	t.Helper()
	docs, diags := compile.ParseFile("wf.yaml", []byte(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: pause
  templates:
  - name: pause
    `+suspend+`
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
	obj.UID, obj.ResourceVersion = "uid-1", "1"
	expired := metav1.NewMicroTime(time.Now().Add(-time.Minute))
	return fake.NewClientset(obj, &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns"},
		Spec:       coordinationv1.LeaseSpec{HolderIdentity: ptr.To("dead"), RenewTime: &expired, LeaseDurationSeconds: ptr.To(int32(15))},
	})
}
