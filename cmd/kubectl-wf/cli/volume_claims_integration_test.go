package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestVolumeClaimTemplates runs fixtures/volume-claims.yaml: the claim
// `<workflow>-work` carries a file from the first step to the second; with
// the default volumeClaimGC it is deleted when the workflow succeeds and
// kept, owned by the workflow object, when it fails. It needs the local
// cluster's default StorageClass (docs/cluster.md) to bind.
func TestVolumeClaimTemplates(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()
	fixture := filepath.Join(fixturesDir, "volume-claims.yaml")
	claims := cs.CoreV1().PersistentVolumeClaims(ns)

	if code, out, errOut := onCluster(t, ns, "submit", fixture, "--name", "vc-ok"); code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if logs := logsOf(t, ns, "vc-ok"); !strings.Contains(logs, "written by vc-ok") {
		t.Errorf("the second step did not read the first one's file; logs:\n%s", logs)
	}
	waitFor(t, time.Minute, func() bool {
		_, err := claims.Get(ctx, "vc-ok-work", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})

	code, out, errOut := onCluster(t, ns, "submit", fixture, "--name", "vc-fail", "-p", "exit=1")
	if code != ExitFailed {
		t.Fatalf("submit -p exit=1 exited %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitFailed, out, errOut)
	}
	if doc := getJSON(t, ns, "vc-fail"); doc.Status.Phase != watch.Failed {
		t.Errorf("phase %s, want Failed", doc.Status.Phase)
	}
	if logs := logsOf(t, ns, "vc-fail"); !strings.Contains(logs, "written by vc-fail") {
		t.Errorf("the second step did not read the first one's file; logs:\n%s", logs)
	}
	pvc, err := claims.Get(ctx, "vc-fail-work", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the failed workflow's claim: %v", err)
	}
	obj, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, "vc-fail", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if refs := pvc.OwnerReferences; len(refs) != 1 || refs[0].UID != obj.UID || refs[0].Kind != "ConfigMap" {
		t.Errorf("claim owners %+v, want the workflow object %s", refs, obj.UID)
	}
	if pvc.Labels[compile.LabelWorkflow] != "vc-fail" || pvc.Status.Phase != corev1.ClaimBound {
		t.Errorf("claim labels %v, phase %s: want the workflow's label, Bound", pvc.Labels, pvc.Status.Phase)
	}
}
