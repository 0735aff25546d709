package watch

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

// refused is what a request gets while the apiserver is down.
var refused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

// TestDriveRidesOutAnAPIServerOutage: from the first Job's creation, the
// driver's requests are refused for a while; it keeps trying, and the
// workflow ends Succeeded with each Job made once.
func TestDriveRidesOutAnAPIServerOutage(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, stepsYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fakeKubelet(ctx, t, cs, "ns")
	var down atomic.Bool
	var refusedCount, jobCreates atomic.Int64
	cs.PrependReactor("*", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		switch a.GetResource().Resource {
		case "configmaps", "jobs", "leases":
		default:
			return false, nil, nil // the fake kubelet's pods
		}
		if down.Load() && a.GetVerb() != "list" && a.GetVerb() != "watch" {
			refusedCount.Add(1)
			return true, nil, refused
		}
		if a.GetVerb() == "create" && a.GetResource().Resource == "jobs" && jobCreates.Add(1) == 1 {
			down.Store(true)
			time.AfterFunc(1500*time.Millisecond, func() { down.Store(false) })
		}
		return false, nil, nil
	})
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "me"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive through the outage: %v, %v", status, err)
	}
	if refusedCount.Load() == 0 {
		t.Fatal("no request was refused: the outage did not happen")
	}
	jobs, err := cs.BatchV1().Jobs("ns").List(ctx, metav1.ListOptions{})
	if err != nil || len(jobs.Items) != 4 {
		t.Errorf("%d Jobs (%v), want the workflow's 4, each once", len(jobs.Items), err)
	}
	if n := jobCreates.Load(); n != 4 {
		t.Errorf("%d Job creates reached the apiserver, want 4", n)
	}
}

// TestLeaseRenewal: a lease is fresh for renewDeadline after its last
// renewal; a renewal whose answer was lost (a conflict on a lease that
// still names this driver) is made again; one someone else took fails.
func TestLeaseRenewal(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset()
	now := time.Now()
	l := &lease{cs: cs, namespace: "ns", name: "wf", identity: "me"}
	if err := l.acquire(ctx, now); err != nil {
		t.Fatal(err)
	}
	if !l.fresh(now.Add(renewDeadline-time.Second)) || l.fresh(now.Add(renewDeadline)) {
		t.Errorf("fresh: want true until %v after the renewal, false after", renewDeadline)
	}
	conflictOnce := func(a clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, newConflict()
	}
	cs.PrependReactor("update", "leases", oneShot(conflictOnce))
	later := now.Add(5 * time.Second)
	if err := l.renew(ctx, later); err != nil {
		t.Fatalf("renewal after a lost answer: %v", err)
	}
	if !l.fresh(later.Add(renewDeadline - time.Second)) {
		t.Error("the renewal did not refresh the lease")
	}
	other := &lease{cs: cs, namespace: "ns", name: "wf", identity: "other"}
	if err := other.acquire(ctx, now.Add(LeaseDuration+later.Sub(now))); err != nil {
		t.Fatal(err)
	}
	cs.PrependReactor("update", "leases", oneShot(conflictOnce))
	if err := l.renew(ctx, later.Add(time.Minute)); err == nil {
		t.Error("renewed a lease another driver took")
	}
}

// oneShot applies a reactor once, then lets requests through.
func oneShot(r clienttesting.ReactionFunc) clienttesting.ReactionFunc {
	var used atomic.Bool
	return func(a clienttesting.Action) (bool, runtime.Object, error) {
		if used.Swap(true) {
			return false, nil, nil
		}
		return r(a)
	}
}
