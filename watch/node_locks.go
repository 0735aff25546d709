package watch

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// The driver's side of template-level synchronization (eval_sync.go):
// it takes the locks waiting nodes ask for, releases those of nodes that
// ended, and tells the evaluation which locks each node holds. A node's
// lock is a Lease held by "NAMESPACE/NAME/UID/NODE-ID".

// nodeLockWatch follows the namespace's locks and ConfigMaps for a
// workflow whose templates take locks.
type nodeLockWatch struct {
	leases cache.Indexer
	// waiting: a node waits for a lock, so a workflow that ends (which
	// frees what it holds) or a semaphore's new limit may let it start.
	waiting atomic.Bool
}

// usesNodeLocks reports whether any template of w takes locks.
func usesNodeLocks(w *compile.Workflow) bool {
	return slices.ContainsFunc(w.Spec.Templates, func(t wfv1.Template) bool { return t.Synchronization != nil })
}

// watchNodeLocks starts following the namespace's locks (every change
// wakes the loop) and its ConfigMaps (only while a node waits).
func (d *driver) watchNodeLocks(ctx context.Context) error {
	leaseFactory := informers.NewSharedInformerFactoryWithOptions(d.cs, 0, informers.WithNamespace(d.cfg.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = labels.Set{compile.LabelRole: roleLock}.String()
		}))
	cmFactory := informers.NewSharedInformerFactoryWithOptions(d.cs, 0, informers.WithNamespace(d.cfg.Namespace))
	d.lockWatch = &nodeLockWatch{}
	leases := leaseFactory.Coordination().V1().Leases().Informer()
	d.lockWatch.leases = leases.GetIndexer()
	poke := func(any) { d.poke() }
	if _, err := leases.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: poke, UpdateFunc: func(any, any) { d.poke() }, DeleteFunc: poke,
	}); err != nil {
		return err
	}
	pokeIfWaiting := func(any) {
		if d.lockWatch.waiting.Load() {
			d.poke()
		}
	}
	cms := cmFactory.Core().V1().ConfigMaps().Informer()
	if err := cms.SetTransform(dropManagedFields); err != nil {
		return err
	}
	if _, err := cms.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: pokeIfWaiting, UpdateFunc: func(_, o any) { pokeIfWaiting(o) }, DeleteFunc: pokeIfWaiting,
	}); err != nil {
		return err
	}
	leaseFactory.Start(ctx.Done())
	cmFactory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), leases.HasSynced) {
		return context.Cause(ctx)
	}
	go func() { <-ctx.Done(); leaseFactory.Shutdown(); cmFactory.Shutdown() }()
	return nil
}

// heldNodeLocks lists the lock keys each node of the workflow holds.
func (d *driver) heldNodeLocks() map[string][]string {
	if d.lockWatch == nil {
		return nil
	}
	prefix := d.holder() + "/"
	out := map[string][]string{}
	for _, o := range d.lockWatch.leases.List() {
		lease, ok := o.(*coordinationv1.Lease)
		if !ok {
			continue
		}
		if node, ok := strings.CutPrefix(ptr.Deref(lease.Spec.HolderIdentity, ""), prefix); ok {
			out[node] = append(out[node], lease.Annotations[compile.Domain+"/lock"])
		}
	}
	return out
}

// releaseNodeLocks frees the locks of nodes that ended.
func (d *driver) releaseNodeLocks(ctx context.Context, nodes []string) error {
	if len(nodes) == 0 || d.lockWatch == nil {
		return nil
	}
	leases := d.cs.CoordinationV1().Leases(d.cfg.Namespace)
	for _, o := range d.lockWatch.leases.List() {
		lease, ok := o.(*coordinationv1.Lease)
		if !ok || !slices.ContainsFunc(nodes, func(id string) bool { return ptr.Deref(lease.Spec.HolderIdentity, "") == d.nodeHolder(id) }) {
			continue
		}
		err := leases.Delete(ctx, lease.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &lease.ResourceVersion}})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return err
		}
	}
	return nil
}

// acquireNodeLocks takes the locks of waiting nodes, in evaluation order.
// A node that got them all starts at the next evaluation; for each one
// that did not, it returns Argo's waiting message, by node ID.
func (d *driver) acquireNodeLocks(ctx context.Context, requests []LockRequest) (map[string]string, error) {
	if d.lockWatch == nil {
		return nil, nil
	}
	taken := false
	full := map[string]int{} // locks found with no free slot, and how many are held
	waits := map[string]string{}
	for _, r := range requests {
		waitMsg := ""
		locks, err := d.withLimits(ctx, r.locks)
		if err != nil {
			waitMsg = err.Error() // waits for the semaphore's ConfigMap
		}
		for _, l := range locks {
			if held, ok := full[l.key]; ok {
				waitMsg = waitingMessage(l, held)
				break
			}
			got, held, err := d.takeLock(ctx, l, d.nodeHolder(r.Node))
			if err != nil {
				return nil, err
			}
			if !got {
				full[l.key] = held
				waitMsg = waitingMessage(l, held)
				break
			}
		}
		if waitMsg == "" {
			taken = true
			continue
		}
		waits[r.Node] = waitMsg
	}
	d.lockWatch.waiting.Store(len(waits) > 0)
	if taken {
		d.poke() // the nodes that hold their locks now may start
	}
	return waits, nil
}

// recordLockWaits keeps the waiting messages on the workflow object, and
// shows them on the nodes of status.
func (d *driver) recordLockWaits(ctx context.Context, obj *corev1.ConfigMap, status *Status, waits map[string]string) (*corev1.ConfigMap, error) {
	if d.lockWatch == nil {
		return obj, nil
	}
	applyLockWaits(status, waits)
	want := ""
	if len(waits) > 0 {
		want = mustJSON(waits)
	}
	if obj.Annotations[AnnotationLockWaits] == want {
		return obj, nil
	}
	values := map[string]any{AnnotationLockWaits: want}
	if want == "" {
		values[AnnotationLockWaits] = nil
	}
	return d.annotateAny(ctx, obj, values)
}

// applyLockWaits sets the message of each node still waiting for a lock.
func applyLockWaits(status *Status, waits map[string]string) {
	for id, msg := range waits {
		if n := status.Nodes[id]; n != nil && n.Phase == Pending {
			n.Message = msg
		}
	}
}
