package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// forwardYAML: main, a steps template, passes on with
// from: "{{inputs.artifacts.NAME}}" the raw artifact the workflow gives
// it, and inner, another, the artifact gen saved.
const forwardYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  arguments:
    artifacts: [{name: seed, raw: {data: seed-content}}]
  templates:
  - name: main
    inputs: {artifacts: [{name: seed}]}
    steps:
    - - {name: gen, template: gen}
      - name: raw
        template: read
        arguments: {artifacts: [{name: in, from: "{{inputs.artifacts.seed}}"}]}
      - name: raw-by-expression
        template: read
        arguments: {artifacts: [{name: in, fromExpression: "inputs.artifacts.seed"}]}
    - - name: inner
        template: inner
        arguments: {artifacts: [{name: art, from: "{{steps.gen.outputs.artifacts.out}}"}]}
  - name: inner
    inputs: {artifacts: [{name: art}]}
    steps:
    - - name: stored
        template: read
        arguments: {artifacts: [{name: in, from: "{{inputs.artifacts.art}}"}]}
  - name: gen
    container: {image: busybox, command: [gen]}
    outputs: {artifacts: [{name: out, path: /out}]}
  - name: read
    inputs: {artifacts: [{name: in, path: /in}]}
    container: {image: busybox, command: [cat, /in]}
`

// TestForwardedInputArtifacts: a steps template's input artifact, raw or
// stored, reaches the child it passes it on to as it came.
func TestForwardedInputArtifacts(t *testing.T) {
	w := workflow(t, forwardYAML)
	run := runArtifacts(t, w, nil)
	if run.status.Phase != Succeeded {
		t.Fatalf("workflow %s: %s", run.status.Phase, run.status.Message)
	}
	for _, node := range []string{"raw", "raw-by-expression"} {
		if raw := run.raw[w.Name+"[0]."+node][compile.ArtifactKey("in")]; raw != "seed-content" {
			t.Errorf("%s's artifact data %q, want the workflow's seed-content", node, raw)
		}
	}
	want := []string{ArtifactsConfigMapName(run.jobs[w.Name+"[0].gen"].Name)}
	if diff := cmp.Diff(want, mountedConfigMaps(run.jobs[w.Name+"[1].inner[0].stored"])); diff != "" {
		t.Errorf("stored's mounts (-want +got):\n%s", diff)
	}
}
