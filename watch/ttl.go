package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// spec.ttlStrategy deletes a workflow a while after it ended, with no
// controller of kubectl-wf's: once it has ended, the driver makes a Job
// that needs no pod (completions: 0, so it completes at once) with
// ttlSecondsAfterFinished, and makes that Job an owner of the workflow
// object. When Kubernetes' TTL controller deletes the Job, its garbage
// collector deletes the workflow object, and with it everything the
// workflow owns. Both steps are idempotent, and a driver that dies between
// them leaves them to the next driver of the ended workflow.

// ttlSeconds is how long the workflow lives after ending in phase, as
// Argo reads ttlStrategy; false when it has none for that phase.
func (d *driver) ttlSeconds(phase Phase) (int32, bool) {
	ttl := d.w.Spec.TTLStrategy
	if ttl == nil {
		return 0, false
	}
	var s *int32
	switch {
	case phase == Succeeded && ttl.SecondsAfterSuccess != nil:
		s = ttl.SecondsAfterSuccess
	case phase != Succeeded && ttl.SecondsAfterFailure != nil:
		s = ttl.SecondsAfterFailure
	default:
		s = ttl.SecondsAfterCompletion
	}
	if s == nil {
		return 0, false
	}
	return *s, true
}

// reaperName is the name of the Job whose deletion deletes the workflow.
func reaperName(workflow string) string { return workflow + "-ttl" }

// scheduleDeletion applies ttlStrategy to an ended workflow.
func (d *driver) scheduleDeletion(ctx context.Context, phase Phase) error {
	seconds, ok := d.ttlSeconds(phase)
	if !ok {
		return nil
	}
	ns, name := d.cfg.Namespace, d.cfg.Name
	reaper := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: reaperName(name), Namespace: ns,
			// Not the workflow's label: the driver's informers need not see it.
			Labels: map[string]string{compile.LabelRole: "ttl"}},
		Spec: batchv1.JobSpec{
			Completions: ptr.To(int32(0)), Parallelism: ptr.To(int32(0)),
			TTLSecondsAfterFinished: ptr.To(seconds),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				// Never run: the Job completes with no pod.
				Containers: []corev1.Container{{Name: "none", Image: "registry.k8s.io/pause:3.10"}}}},
		},
	}
	job, err := d.cs.BatchV1().Jobs(ns).Create(ctx, reaper, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		job, err = d.cs.BatchV1().Jobs(ns).Get(ctx, reaper.Name, metav1.GetOptions{})
	}
	if err != nil {
		return fmt.Errorf("ttlStrategy: %w", err)
	}
	obj, err := d.cs.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("ttlStrategy: %w", err)
	}
	for _, o := range obj.OwnerReferences {
		if o.UID == job.UID {
			return nil
		}
	}
	owners := append(obj.OwnerReferences, metav1.OwnerReference{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID})
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"ownerReferences": owners, "resourceVersion": obj.ResourceVersion}})
	if err != nil {
		return err
	}
	_, err = d.cs.CoreV1().ConfigMaps(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
	if err != nil {
		return fmt.Errorf("ttlStrategy: %w", err)
	}
	return nil
}

// unscheduleDeletion undoes scheduleDeletion before a retry runs the
// workflow again: first the workflow object stops being owned by the Job
// (deleting an owner would delete it), then the Job goes.
func unscheduleDeletion(ctx context.Context, cs kubernetes.Interface, namespace, name string) error {
	obj, err := cs.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	owners := slices.DeleteFunc(slices.Clone(obj.OwnerReferences), func(o metav1.OwnerReference) bool {
		return o.Kind == "Job" && o.Name == reaperName(name)
	})
	if len(owners) != len(obj.OwnerReferences) {
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"ownerReferences": owners, "resourceVersion": obj.ResourceVersion}})
		if err != nil {
			return err
		}
		if _, err := cs.CoreV1().ConfigMaps(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
			return err
		}
	}
	// Background, as kubectl deletes: it has no pods, and the apiserver
	// warns the user of orphaned pods when no policy is given.
	background := metav1.DeletePropagationBackground
	err = cs.BatchV1().Jobs(namespace).Delete(ctx, reaperName(name), metav1.DeleteOptions{PropagationPolicy: &background})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}
