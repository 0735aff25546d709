package watch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

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

// spec.synchronization without a controller: each mutex, and each slot of
// a semaphore, is a Lease of the namespace (role "lock") whose holder is
// the workflow holding it, "NAMESPACE/NAME/UID", not its driver: a driver
// that dies keeps its workflow's locks, and the next one finds them held.
// Before a workflow starts, its driver takes every lock it names, in a
// fixed order so that two workflows never wait on each other; a lock
// whose holding workflow has ended or is gone is free. While it waits, the
// workflow is Pending with Argo's message, and the driver wakes when a
// lock or a workflow of the namespace changes. Once the workflow has
// ended, whichever driver sees it releases its locks.

const roleLock = "lock"

// lockSpec is one mutex or semaphore a workflow or a node takes.
type lockSpec struct {
	key       string // as Argo names it: NAMESPACE/Mutex/NAME, NAMESPACE/ConfigMap/CM/KEY
	limit     int    // a semaphore's is read from its ConfigMap when taken
	configMap *corev1.ConfigMapKeySelector
}

// leaseName is the Lease of slot i of a lock: a hash, as lock names need
// not be valid object names.
func (l lockSpec) leaseName(i int) string {
	sum := sha256.Sum256([]byte(l.key))
	return fmt.Sprintf("kubectl-wf-lock-%s-%d", hex.EncodeToString(sum[:])[:16], i)
}

// lockSpecs lists the locks of a synchronization block, sorted by key so
// that two takers never wait on each other. resolve substitutes a
// template's variables in lock names.
func lockSpecs(ns string, sync *wfv1.Synchronization, resolve func(string) string) []lockSpec {
	if sync == nil {
		return nil
	}
	var out []lockSpec
	mutexes := slices.Clone(sync.Mutexes)
	if sync.Mutex != nil {
		mutexes = append(mutexes, *sync.Mutex)
	}
	for _, m := range mutexes {
		out = append(out, lockSpec{key: ns + "/Mutex/" + resolve(m.Name), limit: 1})
	}
	semaphores := slices.Clone(sync.Semaphores)
	if sync.Semaphore != nil {
		semaphores = append(semaphores, *sync.Semaphore)
	}
	for _, s := range semaphores {
		if ref := s.ConfigMapKeyRef; ref != nil {
			ref = &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: resolve(ref.Name)}, Key: resolve(ref.Key)}
			out = append(out, lockSpec{key: ns + "/ConfigMap/" + ref.Name + "/" + ref.Key, configMap: ref})
		}
	}
	slices.SortFunc(out, func(a, b lockSpec) int { return strings.Compare(a.key, b.key) })
	return out
}

// withLimits reads each semaphore's limit from its ConfigMap now.
func (d *driver) withLimits(ctx context.Context, locks []lockSpec) ([]lockSpec, error) {
	out := slices.Clone(locks)
	for i, l := range out {
		if l.configMap == nil {
			continue
		}
		ref := l.configMap
		cm, err := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("semaphore %s/%s: %w", ref.Name, ref.Key, err)
		}
		limit, err := strconv.Atoi(strings.TrimSpace(cm.Data[ref.Key]))
		if err != nil {
			return nil, fmt.Errorf("semaphore %s/%s: %q is not a number", ref.Name, ref.Key, cm.Data[ref.Key])
		}
		out[i].limit = limit
	}
	return out, nil
}

// locks lists the workflow's own locks, with their limits.
func (d *driver) locks(ctx context.Context) ([]lockSpec, error) {
	return d.withLimits(ctx, lockSpecs(d.cfg.Namespace, d.w.Spec.Synchronization, func(s string) string { return s }))
}

// holder is how a Lease names the workflow holding it.
func (d *driver) holder() string {
	return d.cfg.Namespace + "/" + d.cfg.Name + "/" + string(d.w.UID)
}

// nodeHolder is how a Lease names a node of the workflow holding it.
func (d *driver) nodeHolder(nodeID string) string { return d.holder() + "/" + nodeID }

// takeLocks takes every lock it can; it returns the first it could not
// take, with the number of its slots held, or ok.
func (d *driver) takeLocks(ctx context.Context, locks []lockSpec, holder string) (waiting *lockSpec, held int, err error) {
	for _, l := range locks {
		got, n, err := d.takeLock(ctx, l, holder)
		if err != nil {
			return nil, 0, err
		}
		if !got {
			return &l, n, nil
		}
	}
	return nil, 0, nil
}

// takeLock takes a free slot of l, or finds one the workflow holds.
func (d *driver) takeLock(ctx context.Context, l lockSpec, me string) (bool, int, error) {
	leases := d.cs.CoordinationV1().Leases(d.cfg.Namespace)
	held := 0
	var free []*coordinationv1.Lease
	var missing []int
	for i := range l.limit {
		lease, err := leases.Get(ctx, l.leaseName(i), metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			missing = append(missing, i)
			continue
		case err != nil:
			return false, 0, err
		}
		owner := ptr.Deref(lease.Spec.HolderIdentity, "")
		switch {
		case owner == me:
			return true, 0, nil
		case d.lockHolderGone(ctx, owner):
			free = append(free, lease)
		default:
			held++
		}
	}
	for _, i := range missing {
		_, err := leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: l.leaseName(i), Labels: map[string]string{compile.LabelRole: roleLock},
				Annotations: map[string]string{compile.Domain + "/lock": l.key}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &me},
		}, metav1.CreateOptions{FieldManager: FieldManager})
		if err == nil {
			return true, 0, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return false, 0, err
		}
		held++ // another workflow took it first
	}
	for _, lease := range free {
		lease.Spec.HolderIdentity = &me
		if _, err := leases.Update(ctx, lease, metav1.UpdateOptions{FieldManager: FieldManager}); err == nil {
			return true, 0, nil
		} else if !apierrors.IsConflict(err) {
			return false, 0, err
		}
		held++
	}
	return false, held, nil
}

// lockHolderGone reports whether the workflow named by a Lease's holder
// (NAMESPACE/NAME/UID, with /NODE-ID for a node's lock) has ended or no
// longer exists, so that its lock is free. A node's lock is released by
// its own workflow's driver when the node ends.
func (d *driver) lockHolderGone(ctx context.Context, holder string) bool {
	parts := strings.SplitN(holder, "/", 4)
	if len(parts) < 3 {
		return true
	}
	cm, err := d.cs.CoreV1().ConfigMaps(parts[0]).Get(ctx, parts[1], metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true
	}
	return err == nil && (string(cm.UID) != parts[2] || Phase(cm.Annotations[AnnotationPhase]).Fulfilled())
}

// releaseLocks frees the locks the ended workflow, or any of its nodes,
// holds.
func (d *driver) releaseLocks(ctx context.Context) error {
	if d.w.Spec.Synchronization == nil && !d.nodeLocks {
		return nil
	}
	leases := d.cs.CoordinationV1().Leases(d.cfg.Namespace)
	list, err := leases.List(ctx, metav1.ListOptions{LabelSelector: labels.Set{compile.LabelRole: roleLock}.String()})
	if err != nil {
		return err
	}
	for _, lease := range list.Items {
		if h := ptr.Deref(lease.Spec.HolderIdentity, ""); h != d.holder() && !strings.HasPrefix(h, d.holder()+"/") {
			continue
		}
		err := leases.Delete(ctx, lease.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &lease.ResourceVersion}})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return err
		}
	}
	return nil
}

// waitForLocks takes the workflow's locks before it starts, waiting while
// others hold them. A workflow that started already holds them.
func (d *driver) waitForLocks(ctx context.Context, obj *corev1.ConfigMap) error {
	if d.w.Spec.Synchronization == nil || Phase(obj.Annotations[AnnotationPhase]).Fulfilled() {
		return nil
	}
	locks, err := d.locks(ctx)
	if err != nil {
		return err
	}
	// Wake on any change of a lock or a workflow of the namespace: a lock
	// freed, or its holder ended.
	factory := informers.NewSharedInformerFactoryWithOptions(d.cs, 0, informers.WithNamespace(d.cfg.Namespace))
	wake := make(chan struct{}, 1)
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify(wake) },
		UpdateFunc: func(any, any) { notify(wake) },
		DeleteFunc: func(any) { notify(wake) },
	}
	for _, inf := range []cache.SharedIndexInformer{factory.Coordination().V1().Leases().Informer(), factory.Core().V1().ConfigMaps().Informer()} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return err
		}
	}
	informerCtx, stop := context.WithCancel(ctx)
	defer factory.Shutdown()
	defer stop()
	factory.Start(informerCtx.Done())
	for {
		waiting, held, err := d.takeLocks(ctx, locks, d.holder())
		if err != nil {
			return err
		}
		if waiting == nil {
			return nil
		}
		msg := waitingMessage(*waiting, held)
		if obj.Annotations[AnnotationMessage] != msg || obj.Annotations[AnnotationPhase] != string(Pending) {
			if _, err = d.annotate(ctx, obj, map[string]string{AnnotationPhase: string(Pending), AnnotationMessage: msg}); err != nil {
				return err
			}
			if d.cfg.OnStatus != nil {
				d.cfg.OnStatus(&Status{Phase: Pending, Message: msg, Progress: "0/0"})
			}
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-wake:
		}
		if obj, err = d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Get(ctx, d.cfg.Name, metav1.GetOptions{}); err != nil {
			return err
		}
		if obj.Annotations[AnnotationShutdown] != "" {
			return nil // stopped while waiting: the evaluator fails it
		}
	}
}

// waitingMessage is Argo's: the lock status counts the free slots.
func waitingMessage(l lockSpec, held int) string {
	return fmt.Sprintf("Waiting for %s lock. Lock status: %d/%d", l.key, max(l.limit-held, 0), l.limit)
}

func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
