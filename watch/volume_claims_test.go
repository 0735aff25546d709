package watch

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

const claimsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf, namespace: ns}
spec:
  entrypoint: main
  volumeClaimGC: {strategy: %s}
  volumeClaimTemplates:
  - metadata: {name: work}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Mi}}
  templates:
  - name: main
    steps:
    - - {name: write, template: write}
    - - {name: read, template: read}
  - name: write
    container:
      image: busybox
      volumeMounts: [{name: work, mountPath: /work}]
  - name: read
    container:
      image: busybox
      volumeMounts: [{name: work, mountPath: /work}]
`

func claimNames(t *testing.T, cs *fake.Clientset) []string {
	t.Helper()
	list, err := cs.CoreV1().PersistentVolumeClaims("ns").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list.Items {
		names = append(names, c.Name)
	}
	return names
}

// TestDriveCreatesClaimsFirst: the driver creates the workflow's claim,
// owned by the workflow object, before any Job, and deletes it once the
// workflow succeeded (the default strategy).
func TestDriveCreatesClaimsFirst(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, strings.Replace(claimsYAML, "  volumeClaimGC: {strategy: %s}\n", "", 1))
	var order []string
	cs.PrependReactor("create", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		order = append(order, a.GetResource().Resource)
		return false, nil, nil
	})
	var created *corev1.PersistentVolumeClaim
	cs.PrependReactor("create", "persistentvolumeclaims", func(a clienttesting.Action) (bool, runtime.Object, error) {
		created = a.(clienttesting.CreateAction).GetObject().(*corev1.PersistentVolumeClaim)
		return false, nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fakeKubelet(ctx, t, cs, "ns")
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive: %v, %v", status, err)
	}
	claim, job := slices.Index(order, "persistentvolumeclaims"), slices.Index(order, "jobs")
	if claim < 0 || job < 0 || claim > job {
		t.Errorf("creations in order %v: want the claim before the first Job", order)
	}
	if created == nil || created.Name != "wf-work" || len(created.OwnerReferences) != 1 || created.OwnerReferences[0].UID != "uid-1" {
		t.Errorf("claim created = %+v, want wf-work owned by the workflow object", created)
	}
	if names := claimNames(t, cs); len(names) != 0 {
		t.Errorf("claims left after success: %v", names)
	}
}

// TestVolumeClaimGC: which claims are left once the workflow ended, by
// strategy and outcome, as Argo's deletePVCs decides.
func TestVolumeClaimGC(t *testing.T) {
	tests := []struct {
		strategy string
		phase    Phase
		want     []string
	}{
		{strategy: `""`, phase: Succeeded, want: nil},
		{strategy: `""`, phase: Failed, want: []string{"wf-work"}},
		{strategy: "OnWorkflowSuccess", phase: Error, want: []string{"wf-work"}},
		{strategy: "OnWorkflowSuccess", phase: Succeeded, want: nil},
		{strategy: "OnWorkflowCompletion", phase: Failed, want: nil},
		{strategy: "OnWorkflowCompletion", phase: Succeeded, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.strategy+"/"+string(tt.phase), func(t *testing.T) {
			cs := fake.NewClientset()
			w := workflow(t, strings.Replace(claimsYAML, "%s", tt.strategy, 1))
			w.UID = "uid-1"
			d := &driver{cs: cs, w: w, cfg: Config{Namespace: "ns", Name: "wf"}}
			ctx := context.Background()
			if err := d.ensureVolumeClaims(ctx, Running); err != nil {
				t.Fatal(err)
			}
			if err := d.deleteVolumeClaims(ctx, tt.phase); err != nil {
				t.Fatal(err)
			}
			// Again, as a driver restarted after the deletion would.
			if err := d.deleteVolumeClaims(ctx, tt.phase); err != nil {
				t.Errorf("deleting again: %v", err)
			}
			if diff := cmp.Diff(tt.want, claimNames(t, cs)); diff != "" {
				t.Errorf("claims left (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnsureVolumeClaimsAgain: a restarted driver keeps the claims an
// earlier one made, refuses a claim of the same name that is not the
// workflow's, and makes none for a workflow that has ended.
func TestEnsureVolumeClaimsAgain(t *testing.T) {
	ctx := context.Background()
	newDriver := func(cs *fake.Clientset) *driver {
		w := workflow(t, strings.Replace(claimsYAML, "%s", "OnWorkflowCompletion", 1))
		w.UID = "uid-1"
		return &driver{cs: cs, w: w, cfg: Config{Namespace: "ns", Name: "wf"}}
	}

	cs := fake.NewClientset()
	for i := range 2 {
		if err := newDriver(cs).ensureVolumeClaims(ctx, Running); err != nil {
			t.Fatalf("driver %d: %v", i, err)
		}
	}
	if diff := cmp.Diff([]string{"wf-work"}, claimNames(t, cs)); diff != "" {
		t.Errorf("claims after two drivers (-want +got):\n%s", diff)
	}

	cs = fake.NewClientset(&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "wf-work", Namespace: "ns"}})
	if err := newDriver(cs).ensureVolumeClaims(ctx, Running); err == nil || !strings.Contains(err.Error(), "not workflow wf's") {
		t.Errorf("with a foreign claim of the same name: %v, want a refusal", err)
	}

	cs = fake.NewClientset()
	if err := newDriver(cs).ensureVolumeClaims(ctx, Failed); err != nil {
		t.Fatal(err)
	}
	if names := claimNames(t, cs); len(names) != 0 {
		t.Errorf("claims made for an ended workflow: %v", names)
	}
}

// TestDropClaimProtection: a deleted claim loses the protection finalizer
// (the workflow's ended pods would hold it for ever) and keeps any other.
func TestDropClaimProtection(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "wf-work", Namespace: "ns",
		Finalizers: []string{"example.com/keep", claimProtection}}})
	d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}}
	if err := d.dropClaimProtection(ctx, "wf-work"); err != nil {
		t.Fatal(err)
	}
	pvc, err := cs.CoreV1().PersistentVolumeClaims("ns").Get(ctx, "wf-work", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"example.com/keep"}, pvc.Finalizers); diff != "" {
		t.Errorf("finalizers (-want +got):\n%s", diff)
	}
}
