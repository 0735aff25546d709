package watch

import (
	"context"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// collectPods deletes the pods of ended nodes that spec.podGC lets go, as
// Argo's pod GC does: with OnPodCompletion or OnPodSuccess as each node
// ends, with OnWorkflowCompletion or OnWorkflowSuccess once the workflow
// has, each after deleteDelayDuration. A pod goes only once its node's
// result is recorded on its Job and its phase is final (or the Job has
// finished), so the Job controller counts it as it ended and makes no
// other. It reports whether
// a pod still has to go (waiting for its Job, or for the time it returns).
// Deleting a pod that is gone is no error, so a restarted driver
// finishes what its predecessor began.
func (d *driver) collectPods(ctx context.Context, status *Status) (pending bool, wakeAt *time.Time, err error) {
	gc := d.podGC
	if gc == nil || status == nil {
		return false, nil, nil
	}
	end := status.finishedAt()
	if gc.WorkflowWide() {
		if !status.Phase.Fulfilled() || (gc.Strategy == compile.PodGCOnWorkflowSuccess && status.Phase != Succeeded) {
			return false, nil, nil
		}
	}
	now := d.cfg.Now()
	for _, n := range status.Nodes {
		if n.Job == "" || !n.Phase.Fulfilled() {
			continue
		}
		// The pod first: once deleted, the node costs no Job built from
		// the cache on each reconcile.
		pod := podOf(d.pods, n.Job)
		if pod == nil || pod.DeletionTimestamp != nil {
			continue
		}
		if !podGCMatches(gc, pod) {
			// OnPodSuccess: the node ends on main's status, but whether
			// the pod succeeded is its phase, which the kubelet may
			// report a moment later; its update wakes the driver.
			pending = pending || gc.Strategy == compile.PodGCOnPodSuccess && gc.Selector.Matches(labels.Set(pod.Labels)) &&
				pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed
			continue
		}
		job, err := d.jobs.Jobs(d.cfg.Namespace).Get(n.Job)
		if err != nil {
			continue // not in the cache: nothing of it to delete
		}
		if job.Spec.Suspend != nil && *job.Spec.Suspend {
			continue // stopped: the Job controller deletes its pod itself
		}
		if _, recorded := recordedResult(job); !recorded || !podCounted(job, pod) {
			pending = true // the Job's or the pod's update wakes the driver
			continue
		}
		base := n.FinishedAt
		if gc.WorkflowWide() {
			base = end
		}
		if base != nil && gc.Delay > 0 {
			if due := base.Add(gc.Delay); due.After(now) {
				pending = true
				if wakeAt == nil || due.Before(*wakeAt) {
					wakeAt = &due
				}
				continue
			}
		}
		if err := d.deletePod(ctx, pod); err != nil {
			return true, nil, err
		}
	}
	return pending, wakeAt, nil
}

// podCounted: the Job controller counts the pod as it ended, and makes
// no other, when it goes now: its phase is final, or the Job finished.
func podCounted(job *batchv1.Job, pod *corev1.Pod) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return true
	}
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func (d *driver) deletePod(ctx context.Context, pod *corev1.Pod) error {
	uid := pod.UID
	err := d.cs.CoreV1().Pods(d.cfg.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("podGC: deleting pod %s: %w", pod.Name, err)
	}
	return nil
}

// finishedAt is when the workflow ended: its root's end, or its exit
// handler's when that came later.
func (s *Status) finishedAt() *time.Time {
	var end *time.Time
	for _, id := range []string{s.Root, s.OnExit} {
		if n := s.Nodes[id]; n != nil && n.FinishedAt != nil && (end == nil || n.FinishedAt.After(*end)) {
			end = n.FinishedAt
		}
	}
	return end
}

// earliest of two wake-up times, either of which may be nil.
func earliest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

// podGCMatches: the labelSelector holds, and OnPodSuccess spares a pod
// that did not succeed.
func podGCMatches(gc *compile.PodGC, pod *corev1.Pod) bool {
	if !gc.Selector.Matches(labels.Set(pod.Labels)) {
		return false
	}
	return gc.Strategy != compile.PodGCOnPodSuccess || pod.Status.Phase == corev1.PodSucceeded
}
