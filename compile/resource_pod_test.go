package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestResourceNeedsPod: a resource template needs a pod when its manifest
// or a flag names {{pod.name}}; the answer for the workflow's own
// templates is found once, while a template of its own making is scanned.
func TestResourceNeedsPod(t *testing.T) {
	docs, diags := ParseFile("wf.yaml", []byte(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: manifest
  templates:
  - name: manifest
    resource:
      action: patch
      manifest: |
        apiVersion: v1
        kind: Pod
        metadata: {name: "{{pod.name}}", labels: {a: b}}
  - name: flags
    resource:
      action: patch
      flags: [pod, "{{pod.name}}"]
      manifest: '{"metadata": {"labels": {"a": "b"}}}'
  - name: expression-only
    resource:
      action: create
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "{{=pod.name}}"}
  - name: plain
    resource:
      action: create
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
  - name: pod
    container: {image: busybox, command: [echo, "{{pod.name}}"]}
`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	w, err := NewWorkflow(docs[0], Options{Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	needs := func() map[string]bool {
		got := map[string]bool{}
		for _, name := range []string{"manifest", "flags", "expression-only", "plain", "pod"} {
			tmpl, _ := w.Template(name)
			got[name] = w.ResourceNeedsPod(tmpl)
		}
		return got
	}
	want := map[string]bool{"manifest": true, "flags": true, "expression-only": false, "plain": false, "pod": false}
	if d := cmp.Diff(want, needs()); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	// Found once: a change to the workflow's template after the first
	// answer is not seen; a copy of it is scanned as it is.
	plain, _ := w.Template("plain")
	plain.Resource.Manifest = "metadata: {name: \"{{pod.name}}\"}"
	if d := cmp.Diff(want, needs()); d != "" {
		t.Errorf("after changing a template, (-want +got):\n%s", d)
	}
	copied := *plain
	if !w.ResourceNeedsPod(&copied) {
		t.Error("a template not the workflow's own was not scanned")
	}
}
