package watch

import (
	"testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

const rawArtifactStepsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: show
        arguments:
          artifacts: [{name: file, raw: {data: "got {{steps.gen.outputs.result}}"}}]
  - name: gen
    container: {image: busybox, command: [gen]}
  - name: show
    inputs:
      artifacts: [{name: file, path: /in/file}]
    container: {image: busybox, command: [cat, "{{inputs.artifacts.file.path}}"]}
`

// TestRawArtifactFromRunTimeValue: a step's raw artifact argument that
// names an earlier step's output is resolved once that output is known,
// and the node's ConfigMap, created with its Job, holds it.
func TestRawArtifactFromRunTimeValue(t *testing.T) {
	w := workflow(t, rawArtifactStepsYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
	_, actions := Evaluate(w, obs)
	if len(actions.Create) != 1 {
		t.Fatalf("created %d Jobs first, want gen's", len(actions.Create))
	}
	obs.Jobs[actions.Create[0].Job.Name] = succeed("42")
	_, actions = Evaluate(w, obs)
	if len(actions.Create) != 1 || actions.Create[0].Script == nil {
		t.Fatalf("want use's Job with its ConfigMap, got %+v", actions.Create)
	}
	if got := actions.Create[0].Script.Data[compile.ArtifactKey("file")]; got != "got 42" {
		t.Errorf("artifact data %q, want %q", got, "got 42")
	}
	if got := actions.Create[0].Job.Spec.Template.Spec.Containers[0].Command; got[1] != "/in/file" {
		t.Errorf("command %q, want the artifact's path", got)
	}
}

// TestRawArtifactNotSupplied: an input artifact that ends with no source
// (lint finds it when it sees the caller) errors the node with Argo's
// message.
func TestRawArtifactNotSupplied(t *testing.T) {
	w := workflow(t, rawArtifactStepsYAML)
	use, _ := w.Template("main")
	use.Steps[1].Steps[0].Arguments.Artifacts = nil
	status, _ := simulate(t, w, func(string, []string) PodResult { return succeed("42") })
	n := status.Nodes[compile.NodeID(w.Name, w.Name+"[1].use")]
	if status.Phase == Succeeded || n == nil || n.Phase != Error || n.Message != "inputs.artifacts.file was not supplied" {
		t.Errorf("workflow %s, node %+v; want the node in Error with inputs.artifacts.file was not supplied", status.Phase, n)
	}
}
