package compile

import (
	"slices"
	"testing"
)

func TestPodNameVariable(t *testing.T) {
	docs, diags := ParseFile("wf.yaml", []byte(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [echo, "{{pod.name}}"]
      env: [{name: A, value: "x-{{pod.name}}"}]
`))
	if diags = append(diags, Lint(docs)...); diags.HasErrors() {
		t.Fatal(diags)
	}
	w, err := NewWorkflow(docs[0], Options{Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Compile(w)
	if err != nil {
		t.Fatal(err)
	}
	main := plan.Jobs[0].Spec.Template.Spec.Containers[0]
	if !slices.Equal(main.Command, []string{"echo", "$(KUBECTL_WF_POD_NAME)"}) {
		t.Errorf("command %q", main.Command)
	}
	if len(main.Env) != 2 || main.Env[0].Name != "KUBECTL_WF_POD_NAME" || main.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.name" ||
		main.Env[1].Value != "x-$(KUBECTL_WF_POD_NAME)" {
		t.Errorf("env %+v: want the pod name from the downward API first", main.Env)
	}
}
