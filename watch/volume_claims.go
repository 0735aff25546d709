package watch

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// ensureVolumeClaims creates the claims of spec.volumeClaimTemplates
// before any pod, as Argo does, unless the workflow has ended already
// (a driver restarted after the end must not make them again). A claim
// that exists and is the workflow's was made by an earlier driver and is
// kept as it is: a bound claim's spec cannot change anyway. One of the
// same name that the workflow does not own is refused, as Argo refuses
// it, rather than adopted and later deleted.
func (d *driver) ensureVolumeClaims(ctx context.Context, phase Phase) error {
	if len(d.w.Spec.VolumeClaimTemplates) == 0 || phase.Fulfilled() {
		return nil
	}
	claims, err := d.w.VolumeClaims()
	if err != nil {
		return err
	}
	pvcs := d.cs.CoreV1().PersistentVolumeClaims(d.cfg.Namespace)
	for _, c := range claims {
		err := retry.OnError(retry.DefaultBackoff, transient, func() error {
			_, err := pvcs.Create(ctx, c, metav1.CreateOptions{FieldManager: FieldManager})
			return err
		})
		if apierrors.IsAlreadyExists(err) {
			existing, getErr := pvcs.Get(ctx, c.Name, metav1.GetOptions{})
			if getErr != nil {
				return fmt.Errorf("volume claim %s: %w", c.Name, getErr)
			}
			if !ownedBy(existing.OwnerReferences, d.w.UID) {
				return fmt.Errorf("volume claim %s already exists and is not workflow %s's", c.Name, d.w.Name)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("creating volume claim %s: %w", c.Name, err)
		}
	}
	return nil
}

// deleteVolumeClaims deletes the workflow's claims once it has ended, as
// spec.volumeClaimGC says; claims it keeps go with the workflow object.
// Deleting one that is gone already is no error, so a driver restarted
// half way through finishes the job.
func (d *driver) deleteVolumeClaims(ctx context.Context, phase Phase) error {
	if !compile.DeleteClaimsOn(d.w.Spec.VolumeClaimGC, phase == Succeeded) {
		return nil
	}
	pvcs := d.cs.CoreV1().PersistentVolumeClaims(d.cfg.Namespace)
	for _, claim := range d.w.ClaimTemplateNames() {
		name := d.w.ClaimName(claim)
		err := retry.OnError(retry.DefaultBackoff, transient, func() error {
			return pvcs.Delete(ctx, name, metav1.DeleteOptions{})
		})
		if err == nil {
			err = d.dropClaimProtection(ctx, name)
		}
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting volume claim %s: %w", name, err)
		}
	}
	return nil
}

// claimProtection is the finalizer that keeps a claim while a pod uses it.
const claimProtection = "kubernetes.io/pvc-protection"

// dropClaimProtection removes the finalizer from a claim being deleted,
// as Argo does: the protection controller counts a pod that has ended as
// using the claim, and the workflow's ended pods stay until the workflow
// is deleted, so the claim would never go.
func (d *driver) dropClaimProtection(ctx context.Context, name string) error {
	pvcs := d.cs.CoreV1().PersistentVolumeClaims(d.cfg.Namespace)
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		pvc, err := pvcs.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		kept := slices.DeleteFunc(slices.Clone(pvc.Finalizers), func(f string) bool { return f == claimProtection })
		if len(kept) == len(pvc.Finalizers) {
			return nil
		}
		pvc.Finalizers = kept
		_, err = pvcs.Update(ctx, pvc, metav1.UpdateOptions{FieldManager: FieldManager})
		return err
	})
}

func ownedBy(refs []metav1.OwnerReference, uid types.UID) bool {
	for _, r := range refs {
		if r.UID == uid {
			return true
		}
	}
	return false
}
