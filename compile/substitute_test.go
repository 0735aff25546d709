package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

func TestInstantiate(t *testing.T) {
	tmpl := &wfv1.Template{
		Name:         "echo",
		Inputs:       wfv1.Inputs{Parameters: []wfv1.Parameter{{Name: "msg", Default: wfv1.ParseAnyString("{{workflow.name}}")}}},
		NodeSelector: map[string]string{"disk": "ssd"},
		Metadata:     wfv1.Metadata{Labels: map[string]string{"msg": "{{inputs.parameters.msg}}", "fixed": "x"}},
		Container: &corev1.Container{
			Image:   "busybox",
			Command: []string{"echo", "{{inputs.parameters.msg}}", "{{tasks.a.outputs.result}}"},
			Env:     []corev1.EnvVar{{Name: "A", Value: "a"}},
		},
	}
	vars := Vars{"inputs.parameters.msg": "hi", "workflow.name": "wf"}
	for range 2 { // the second time from the planner's cached tag tree
		inst, missing := instantiate(tmpl, podTags(tmpl), vars)
		if d := cmp.Diff([]string{"tasks.a.outputs.result"}, missing); d != "" {
			t.Errorf("missing (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"echo", "hi", "{{tasks.a.outputs.result}}"}, inst.Container.Command); d != "" {
			t.Errorf("command (-want +got):\n%s", d)
		}
		if got := inst.Metadata.Labels; got["msg"] != "hi" || got["fixed"] != "x" {
			t.Errorf("labels = %v", got)
		}
		// Inputs are the driver's: left as they are.
		if got := inst.Inputs.Parameters[0].Default.String(); got != "{{workflow.name}}" {
			t.Errorf("inputs substituted: %q", got)
		}
		if tmpl.Container.Command[1] != "{{inputs.parameters.msg}}" || tmpl.Metadata.Labels["msg"] != "{{inputs.parameters.msg}}" {
			t.Fatalf("the template itself was changed: %v %v", tmpl.Container.Command, tmpl.Metadata.Labels)
		}
		// What holds no tag is shared, not copied.
		if &inst.Container.Env[0] != &tmpl.Container.Env[0] {
			t.Errorf("env copied")
		}
	}
}
