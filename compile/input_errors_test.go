package compile

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// errorText is err's message, "" for none.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestInputVarsErrors: an input that cannot be resolved at all is an
// error of its own, in the words the node's message takes; the first
// problem met, a missing name or an error, is the one reported.
func TestInputVarsErrors(t *testing.T) {
	file := StoredArtifact{Name: "f", ConfigMap: "a-artifacts", Files: []StoredFile{{Key: "f.0", Mode: 0o644}}}.String()
	scope := Vars{"steps.a.outputs.parameters.p": "hello", "steps.a.outputs.artifacts.f": file}
	bad := wfv1.Artifact{Name: "in", From: "{{steps.a.outputs.parameters.p}}"}
	for _, tc := range []struct {
		name        string
		inputs      []string // input artifacts, in order, each with a path
		args        []wfv1.Artifact
		wantErr     string
		wantMissing []string // the names of a *MissingInputsError
	}{{
		name:    "a from that names no artifact",
		inputs:  []string{"in"},
		args:    []wfv1.Artifact{bad},
		wantErr: `artifact "in": from "{{steps.a.outputs.parameters.p}}" names no output artifact`,
	}, {
		name:    "a subPath in a file",
		inputs:  []string{"in"},
		args:    []wfv1.Artifact{{Name: "in", From: "{{steps.a.outputs.artifacts.f}}", SubPath: "x"}},
		wantErr: `subPath "x": artifact "f" is a file, not a directory`,
	}, {
		name:        "a missing input before the error",
		inputs:      []string{"needed", "in"},
		args:        []wfv1.Artifact{bad},
		wantErr:     "inputs.artifacts.needed was not supplied",
		wantMissing: []string{"inputs.artifacts.needed"},
	}, {
		name:    "the error before a missing input",
		inputs:  []string{"in", "needed"},
		args:    []wfv1.Artifact{bad},
		wantErr: `artifact "in": from "{{steps.a.outputs.parameters.p}}" names no output artifact`,
	}, {
		name:        "names scope lacks",
		inputs:      []string{"in"},
		args:        []wfv1.Artifact{{Name: "in", From: "{{steps.b.outputs.artifacts.f}}"}},
		wantErr:     "failed to resolve {{steps.b.outputs.artifacts.f}}",
		wantMissing: []string{"steps.b.outputs.artifacts.f"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := &wfv1.Template{Name: "t", Container: &corev1.Container{Image: "busybox"}}
			for _, name := range tc.inputs {
				tmpl.Inputs.Artifacts = append(tmpl.Inputs.Artifacts, wfv1.Artifact{Name: name, Path: "/in/" + name})
			}
			_, err := InputVars(tmpl, wfv1.Arguments{Artifacts: tc.args}, scope, nil)
			if got := errorText(err); got != tc.wantErr {
				t.Errorf("InputVars error %q, want %q", got, tc.wantErr)
			}
			var names []string
			if missing := (*MissingInputsError)(nil); errors.As(err, &missing) {
				names = missing.Names
			}
			if d := cmp.Diff(tc.wantMissing, names); d != "" {
				t.Errorf("missing names (-want +got):\n%s", d)
			}
		})
	}
}

// TestPlanDefersInputErrors: a node whose input cannot be resolved is
// deferred with the reason, as the driver errs it; the workflow is not
// refused for it.
func TestPlanDefersInputErrors(t *testing.T) {
	plan := compileYAML(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: src, value: not-an-artifact}]
  templates:
  - name: main
    steps:
    - - name: use
        template: use
        arguments:
          artifacts: [{name: in, from: "{{workflow.parameters.src}}"}]
  - name: use
    inputs:
      artifacts: [{name: in, path: /in}]
    container: {image: busybox, command: [cat, /in]}
`, nil)
	var got []PlannedNode
	for _, n := range plan.Nodes {
		if n.Deferred != "" {
			got = append(got, n)
		}
	}
	want := []PlannedNode{{Name: "wf[0].use", Type: NodePod, Template: "use",
		Deferred: `errs at run time: artifact "in": from "{{workflow.parameters.src}}" names no output artifact`}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("deferred nodes (-want +got):\n%s", d)
	}
}
