package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

const claimsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: class, value: standard}, {name: note, value: 'say "hi"'}]
  volumes:
  - name: shared
    emptyDir: {}
  volumeClaimTemplates:
  - metadata:
      name: work
      labels: {team: a}
      annotations: {owner: "{{workflow.name}}", other: "{{workflow.parameters.missing}}", note: "{{workflow.parameters.note}}"}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: "{{workflow.parameters.class}}"
      resources: {requests: {storage: 2Mi}}
  - metadata: {name: unused}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Mi}}
  templates:
  - name: main
    container:
      image: busybox
      volumeMounts:
      - {name: work, mountPath: /work}
      - {name: shared, mountPath: /shared}
`

// TestVolumeClaims checks the claims made from volumeClaimTemplates: named
// <workflow>-<claim>, labelled and owned like the Jobs, and with the
// workflow's variables substituted as Argo does in the whole spec.
func TestVolumeClaims(t *testing.T) {
	plan := compileYAML(t, claimsWorkflow, nil)
	w := plan.Workflow
	w.UID = "uid-1"
	claims, err := w.VolumeClaims()
	if err != nil {
		t.Fatal(err)
	}
	owner := []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "wf", UID: "uid-1", Controller: ptr.To(true)}}
	typ := metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}
	want := []*corev1.PersistentVolumeClaim{{
		TypeMeta: typ,
		ObjectMeta: metav1.ObjectMeta{Name: "wf-work", Namespace: "ns",
			Labels: map[string]string{"team": "a", LabelWorkflow: "wf", LabelRole: RoleVolumeClaim},
			// A tag with no value is left as written, as Argo does.
			Annotations:     map[string]string{"owner": "wf", "other": "{{workflow.parameters.missing}}", "note": `say "hi"`},
			OwnerReferences: owner},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: ptr.To("standard"),
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Mi")}},
		},
	}, {
		TypeMeta: typ,
		ObjectMeta: metav1.ObjectMeta{Name: "wf-unused", Namespace: "ns",
			Labels:          map[string]string{LabelWorkflow: "wf", LabelRole: RoleVolumeClaim},
			OwnerReferences: owner},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Mi")}},
		},
	}}
	if diff := cmp.Diff(want, claims); diff != "" {
		t.Errorf("VolumeClaims() (-want +got):\n%s", diff)
	}
}

// TestClaimVolumesInPods checks that a pod mounting a claim template gets
// the claim as a volume of the template's name, and only the volumes it
// mounts.
func TestClaimVolumesInPods(t *testing.T) {
	plan := compileYAML(t, claimsWorkflow, nil)
	if len(plan.Jobs) != 1 {
		t.Fatalf("got %d Jobs, want 1", len(plan.Jobs))
	}
	want := []corev1.Volume{
		{Name: "work", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "wf-work"}}},
		{Name: "shared", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	if diff := cmp.Diff(want, plan.Jobs[0].Spec.Template.Spec.Volumes); diff != "" {
		t.Errorf("pod volumes (-want +got):\n%s", diff)
	}
	objs, err := plan.Objects()
	if err != nil {
		t.Fatal(err)
	}
	if pvc, ok := objs[1].(*corev1.PersistentVolumeClaim); !ok || pvc.Name != "wf-work" {
		t.Errorf("compile output's second object is %T %v, want the claim wf-work", objs[1], objs[1])
	}
}

func TestDeleteClaimsOn(t *testing.T) {
	tests := []struct {
		strategy  string
		gc        bool // volumeClaimGC set at all
		succeeded bool
		want      bool
	}{
		{gc: false, succeeded: true, want: true},
		{gc: false, succeeded: false, want: false},
		{gc: true, strategy: "", succeeded: false, want: false},
		{gc: true, strategy: VolumeClaimGCOnSuccess, succeeded: true, want: true},
		{gc: true, strategy: VolumeClaimGCOnSuccess, succeeded: false, want: false},
		{gc: true, strategy: VolumeClaimGCOnCompletion, succeeded: false, want: true},
		{gc: true, strategy: VolumeClaimGCOnCompletion, succeeded: true, want: true},
	}
	for _, tt := range tests {
		var gc *wfv1.VolumeClaimGC
		if tt.gc {
			gc = &wfv1.VolumeClaimGC{Strategy: tt.strategy}
		}
		if got := DeleteClaimsOn(gc, tt.succeeded); got != tt.want {
			t.Errorf("DeleteClaimsOn(%+v, succeeded=%v) = %v, want %v", gc, tt.succeeded, got, tt.want)
		}
	}
}
