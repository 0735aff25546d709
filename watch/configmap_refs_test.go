package watch

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

func TestResolveConfigMapRefs(t *testing.T) {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "params", Namespace: "ns"}, Data: map[string]string{"msg": "hello from a ConfigMap"}}
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: message
      valueFrom: {configMapKeyRef: {name: params, key: msg}}
  templates:
  - name: main
    inputs:
      parameters:
      - name: local
        valueFrom: {configMapKeyRef: {name: params, key: msg}}
      - name: fallback
        valueFrom: {configMapKeyRef: {name: params, key: nothing}, default: dflt}
      - name: optional
        valueFrom: {configMapKeyRef: {name: gone, key: x, optional: true}}
    container: {image: busybox, command: [echo, "{{workflow.parameters.message}}", "{{inputs.parameters.local}}", "{{inputs.parameters.fallback}}", "[{{inputs.parameters.optional}}]"]}
`
	docs, diags := compile.ParseFile("wf.yaml", []byte(src))
	if diags = append(diags, compile.Lint(docs)...); diags.HasErrors() {
		t.Fatal(diags)
	}
	cs := fake.NewClientset(cm)
	w, _, err := Create(context.Background(), cs, docs[0], compile.Options{Namespace: "ns"}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: t0})
	got := strings.Join(actions.Create[0].Job.Spec.Template.Spec.Containers[0].Command, "|")
	if want := "echo|hello from a ConfigMap|hello from a ConfigMap|dflt|[]"; got != want {
		t.Errorf("command %q, want %q", got, want)
	}

	missing := strings.Replace(src, "key: msg}}\n  templates", "key: absent}}\n  templates", 1)
	docs, _ = compile.ParseFile("wf.yaml", []byte(missing))
	if _, _, err := Create(context.Background(), cs, docs[0], compile.Options{Namespace: "ns", Name: "wf2"}, false); err == nil || !strings.Contains(err.Error(), `key "absent" of ConfigMap ns/params not found`) {
		t.Errorf("a missing key: %v", err)
	}
}
