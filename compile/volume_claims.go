package compile

import (
	"fmt"
	"maps"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// RoleVolumeClaim marks the PersistentVolumeClaims made from
// spec.volumeClaimTemplates.
const RoleVolumeClaim = "volume-claim"

// Argo's volumeClaimGC strategies; OnWorkflowSuccess is the default.
const (
	VolumeClaimGCOnCompletion = "OnWorkflowCompletion"
	VolumeClaimGCOnSuccess    = "OnWorkflowSuccess"
)

// ClaimName is the name of the PersistentVolumeClaim made from the claim
// template named claim: `<workflow>-<claim>`, as Argo names it.
func (w *Workflow) ClaimName(claim string) string {
	return w.Name + "-" + claim
}

// VolumeClaims are the PersistentVolumeClaims of spec.volumeClaimTemplates,
// ready to create: named by ClaimName, labelled and owned like the
// workflow's Jobs, the workflow's variables substituted as Argo substitutes
// them in the whole spec before it creates the claims.
func (w *Workflow) VolumeClaims() ([]*corev1.PersistentVolumeClaim, error) {
	var out []*corev1.PersistentVolumeClaim
	for i := range w.Spec.VolumeClaimTemplates {
		t := &w.Spec.VolumeClaimTemplates[i]
		if t.Name == "" {
			return nil, fmt.Errorf("volumeClaimTemplates[%d].metadata.name is required", i)
		}
		pvc := w.resolveClaim(t)
		pvc.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}
		pvc.ObjectMeta = metav1.ObjectMeta{
			Name:        w.ClaimName(pvc.Name),
			Namespace:   w.Namespace,
			Labels:      maps.Clone(pvc.Labels),
			Annotations: maps.Clone(pvc.Annotations),
			// Argo keeps the template's finalizers too.
			Finalizers:      pvc.Finalizers,
			OwnerReferences: w.ownerReferences(),
		}
		if pvc.Labels == nil {
			pvc.Labels = map[string]string{}
		}
		pvc.Labels[LabelWorkflow] = w.Name
		pvc.Labels[LabelRole] = RoleVolumeClaim
		pvc.Status = corev1.PersistentVolumeClaimStatus{}
		out = append(out, pvc)
	}
	return out, nil
}

// resolveClaim substitutes the workflow's variables in a claim template.
// A tag with no value stays as written, as Argo leaves it.
func (w *Workflow) resolveClaim(t *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaim {
	out, _ := substitute(t, w.GlobalVars())
	// substitute shares what did not change with the template.
	return out.DeepCopy()
}

// claimVolumes are the pod volumes of the claim templates, under the
// claim templates' names, as the templates' volumeMounts name them.
func (w *Workflow) claimVolumes() []corev1.Volume {
	var out []corev1.Volume
	for _, name := range w.ClaimTemplateNames() {
		out = append(out, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: w.ClaimName(name)},
		}})
	}
	return out
}

// ClaimTemplateNames are the names of the claim templates, their tags
// resolved as VolumeClaims resolves them.
func (w *Workflow) ClaimTemplateNames() []string {
	var out []string
	for _, t := range w.Spec.VolumeClaimTemplates {
		name := t.Name
		if strings.Contains(name, "{{") {
			name, _ = w.GlobalVars().Resolve(name)
		}
		out = append(out, name)
	}
	return out
}

// DeleteClaimsOn says whether the workflow's claims are deleted once it
// ended with succeeded (true) or not, by spec.volumeClaimGC: after
// OnWorkflowSuccess (the default) a failed workflow keeps them, until the
// workflow object is deleted.
func DeleteClaimsOn(gc *wfv1.VolumeClaimGC, succeeded bool) bool {
	if gc == nil || gc.Strategy == "" || gc.Strategy == VolumeClaimGCOnSuccess {
		return succeeded
	}
	return gc.Strategy == VolumeClaimGCOnCompletion
}
