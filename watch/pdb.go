package watch

import (
	"context"
	"fmt"

	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// spec.podDisruptionBudget protects the workflow's pods while it runs, as
// Argo does: a PodDisruptionBudget named after the workflow, selecting its
// pods unless the spec selects, owned by the workflow object, deleted once
// the workflow has ended. Both steps are idempotent: a driver that dies
// between them leaves the deletion to the next driver, or to the garbage
// collector with the workflow.

// pdbFor is the PodDisruptionBudget of the workflow, or nil.
func (d *driver) pdbFor() *policyv1.PodDisruptionBudget {
	spec := d.w.Spec.PodDisruptionBudget
	if spec == nil {
		return nil
	}
	labels := map[string]string{compile.LabelWorkflow: d.w.Name}
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: d.w.Name, Namespace: d.w.Namespace, Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: d.w.Name, UID: d.w.UID, Controller: ptr.To(true)}}},
		Spec: *spec.DeepCopy(),
	}
	if pdb.Spec.Selector == nil {
		pdb.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels}
	}
	return pdb
}

// ensurePDB creates the workflow's PodDisruptionBudget if it has one.
func (d *driver) ensurePDB(ctx context.Context) error {
	pdb := d.pdbFor()
	if pdb == nil || d.pdbMade {
		return nil
	}
	_, err := d.cs.PolicyV1().PodDisruptionBudgets(pdb.Namespace).Create(ctx, pdb, metav1.CreateOptions{FieldManager: FieldManager})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the workflow's PodDisruptionBudget: %w", err)
	}
	d.pdbMade = true
	return nil
}

// deletePDB deletes the workflow's PodDisruptionBudget once it has ended.
func (d *driver) deletePDB(ctx context.Context) error {
	pdb := d.pdbFor()
	if pdb == nil {
		return nil
	}
	err := d.cs.PolicyV1().PodDisruptionBudgets(pdb.Namespace).Delete(ctx, pdb.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting the workflow's PodDisruptionBudget: %w", err)
	}
	return nil
}
