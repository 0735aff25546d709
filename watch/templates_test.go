package watch

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

func templateDocs(t *testing.T, src string) []*compile.Document {
	t.Helper()
	docs, diags := compile.ParseFile("t.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return docs
}

const twoTemplates = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: print, labels: {team: a}}
spec:
  entrypoint: say
  templates:
  - name: say
    container: {image: busybox, command: [echo, hi]}
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata: {name: print}
spec:
  templates:
  - name: say
    container: {image: alpine:3.23, command: [echo, cluster]}
`

func TestTemplatesStore(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset()
	store := Templates{Client: cs, Namespace: "team-a"}
	docs := templateDocs(t, twoTemplates)
	for _, d := range docs {
		if _, err := store.Create(ctx, d, false); err != nil {
			t.Fatal(err)
		}
	}

	// Each kind is stored where it belongs, under its own name and role.
	cm, err := cs.CoreV1().ConfigMaps("team-a").Get(ctx, "workflowtemplate.print", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"team": "a", compile.LabelRole: compile.RoleWorkflowTemplate, compile.LabelTemplateName: "print"}, cm.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if _, err := cs.CoreV1().ConfigMaps(compile.ClusterTemplateNamespace).Get(ctx, "clusterworkflowtemplate.print", metav1.GetOptions{}); err != nil {
		t.Errorf("cluster template: %v", err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, compile.ClusterTemplateNamespace, metav1.GetOptions{}); err != nil {
		t.Errorf("the cluster templates' namespace was not made: %v", err)
	}

	// Both read back as written, each from its scope.
	for _, cluster := range []bool{false, true} {
		got, err := store.WorkflowTemplate(ctx, "print", cluster)
		if err != nil {
			t.Fatal(err)
		}
		want := "busybox"
		if cluster {
			want = "alpine:3.23"
		}
		if img := got.Spec.Templates[0].Container.Image; img != want {
			t.Errorf("cluster=%v: image %q, want %q", cluster, img, want)
		}
	}

	// A second create is refused; --update replaces.
	if _, err := store.Create(ctx, docs[0], false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second create: error = %v, want already exists", err)
	}
	changed := templateDocs(t, strings.Replace(twoTemplates, "echo, hi", "echo, changed", 1))[0]
	if _, err := store.Create(ctx, changed, true); err != nil {
		t.Fatalf("update: %v", err)
	}
	got, err := store.Get(ctx, wfv1.KindWorkflowTemplate, "print")
	if err != nil {
		t.Fatal(err)
	}
	if cmd := got.Spec.Templates[0].Container.Command; cmp.Diff([]string{"echo", "changed"}, cmd) != "" {
		t.Errorf("after update: command %q", cmd)
	}

	list, err := store.List(ctx, wfv1.KindWorkflowTemplate)
	if err != nil || len(list) != 1 || list[0].Name != "print" || list[0].Namespace != "team-a" {
		t.Errorf("List = %v, %v; want [print] in team-a", list, err)
	}

	if err := store.Delete(ctx, wfv1.KindWorkflowTemplate, "print"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.WorkflowTemplate(ctx, "print", false); !errors.Is(err, compile.ErrTemplateNotFound) {
		t.Errorf("after delete: error = %v, want not found", err)
	}
	if err := store.Delete(ctx, wfv1.KindWorkflowTemplate, "print"); !errors.Is(err, compile.ErrTemplateNotFound) {
		t.Errorf("second delete: error = %v, want not found", err)
	}
}

// A ConfigMap that happens to have a template's name is not taken for one.
func TestTemplatesStoreIgnoresOtherConfigMaps(t *testing.T) {
	cs := fake.NewClientset(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "workflowtemplate.x", Namespace: "ns"}, Data: map[string]string{"a": "b"}})
	_, err := Templates{Client: cs, Namespace: "ns"}.WorkflowTemplate(context.Background(), "x", false)
	if err == nil || !strings.Contains(err.Error(), "is not a stored WorkflowTemplate") {
		t.Errorf("error = %v, want: is not a stored WorkflowTemplate", err)
	}
}
