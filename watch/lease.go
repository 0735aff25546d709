package watch

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// LeaseDuration is how long a driver's claim on a workflow lasts without
// renewal; another driver may take over after it.
const LeaseDuration = 15 * time.Second

// renewDeadline is how long after its last renewal a driver still acts:
// a margin before LeaseDuration for slow requests and clock skew, as
// client-go's leader election keeps one.
const renewDeadline = LeaseDuration * 2 / 3

// HeldError says that another driver holds a workflow.
type HeldError struct {
	Holder  string
	Renewed time.Time
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("another driver holds the workflow: %s (renewed %s ago)", e.Holder, time.Since(e.Renewed).Round(time.Second))
}

// lease is a driver's claim on one workflow: a coordination.k8s.io Lease
// named after it, owned by the workflow object so it goes with it.
type lease struct {
	cs        kubernetes.Interface
	namespace string
	name      string
	identity  string
	owner     []metav1.OwnerReference
	current   *coordinationv1.Lease
	// renewedAt is when the last successful renewal was sent (Unix ns).
	renewedAt atomic.Int64
}

// fresh reports whether the lease is surely still this driver's at now.
func (l *lease) fresh(now time.Time) bool {
	return now.Sub(time.Unix(0, l.renewedAt.Load())) < renewDeadline
}

// acquire takes the lease if it is free or expired. Updates carry the
// resourceVersion read, so of two drivers racing only one wins.
func (l *lease) acquire(ctx context.Context, now time.Time) error {
	leases := l.cs.CoordinationV1().Leases(l.namespace)
	cur, err := leases.Get(ctx, l.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		fresh := &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: l.name, Namespace: l.namespace, OwnerReferences: l.owner,
				Labels: map[string]string{compile.LabelWorkflow: l.name}},
			Spec: l.spec(now, 0),
		}
		created, err := leases.Create(ctx, fresh, metav1.CreateOptions{FieldManager: FieldManager})
		if apierrors.IsAlreadyExists(err) {
			return l.acquire(ctx, now)
		}
		if err == nil {
			l.current = created
			l.renewedAt.Store(now.UnixNano())
		}
		return err
	}
	if err != nil {
		return err
	}
	holder := ptr.Deref(cur.Spec.HolderIdentity, "")
	renewed := cur.Spec.RenewTime
	if holder != "" && holder != l.identity && renewed != nil && now.Sub(renewed.Time) < LeaseDuration {
		return &HeldError{Holder: holder, Renewed: renewed.Time}
	}
	cur.Spec = l.spec(now, ptr.Deref(cur.Spec.LeaseTransitions, 0)+1)
	updated, err := leases.Update(ctx, cur, metav1.UpdateOptions{FieldManager: FieldManager})
	if apierrors.IsConflict(err) {
		return l.acquire(ctx, now)
	}
	if err == nil {
		l.current = updated
		l.renewedAt.Store(now.UnixNano())
	}
	return err
}

// renew extends the claim; it fails when someone else took the lease. A
// renewal whose answer was lost may have been made: a conflict on a lease
// that still names this driver is that, and is renewed again.
func (l *lease) renew(ctx context.Context, now time.Time) error {
	leases := l.cs.CoordinationV1().Leases(l.namespace)
	for attempt := 0; ; attempt++ {
		cur := l.current.DeepCopy()
		cur.Spec.RenewTime = &metav1.MicroTime{Time: now}
		updated, err := leases.Update(ctx, cur, metav1.UpdateOptions{FieldManager: FieldManager})
		if err == nil {
			l.current = updated
			l.renewedAt.Store(now.UnixNano())
			return nil
		}
		if !apierrors.IsConflict(err) || attempt > 0 {
			return fmt.Errorf("renewing the lease on workflow %s: %w", l.name, err)
		}
		latest, getErr := leases.Get(ctx, l.name, metav1.GetOptions{})
		if getErr != nil || ptr.Deref(latest.Spec.HolderIdentity, "") != l.identity {
			return fmt.Errorf("renewing the lease on workflow %s: %w", l.name, err)
		}
		l.current = latest
	}
}

// release lets the next driver take over at once.
func (l *lease) release(ctx context.Context) {
	if l.current == nil {
		return
	}
	cur := l.current.DeepCopy()
	cur.Spec.HolderIdentity = nil
	_, _ = l.cs.CoordinationV1().Leases(l.namespace).Update(ctx, cur, metav1.UpdateOptions{FieldManager: FieldManager})
}

func (l *lease) spec(now time.Time, transitions int32) coordinationv1.LeaseSpec {
	return coordinationv1.LeaseSpec{
		HolderIdentity:       ptr.To(l.identity),
		LeaseDurationSeconds: ptr.To(int32(LeaseDuration / time.Second)),
		AcquireTime:          &metav1.MicroTime{Time: now},
		RenewTime:            &metav1.MicroTime{Time: now},
		LeaseTransitions:     ptr.To(transitions),
	}
}
