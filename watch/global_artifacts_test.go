package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// globalArtifactsYAML is Argo's global-outputs example in short: gen
// exports its artifact, a later step and the exit handler take it; main,
// a steps template, exports the same artifact under another name.
const globalArtifactsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  onExit: consume
  templates:
  - name: main
    steps:
    - - {name: generate, template: gen}
    - - {name: consume, template: consume}
    outputs:
      artifacts: [{name: again, from: "{{steps.generate.outputs.artifacts.hello-art}}", globalName: main-art}]
  - name: gen
    container: {image: busybox, command: [gen]}
    outputs:
      artifacts: [{name: hello-art, path: /tmp/hello.txt, globalName: my-global-art}]
  - name: consume
    steps:
    - - name: read
        template: read
        arguments: {artifacts: [{name: art, from: "{{workflow.outputs.artifacts.my-global-art}}"}]}
  - name: read
    inputs: {artifacts: [{name: art, path: /art}]}
    container: {image: busybox, command: [cat, /art]}
`

// TestGlobalOutputArtifacts: an output artifact with a globalName is the
// workflow's output under that name, without its path, the producer's
// ConfigMap; later steps and the exit handler take it with from.
func TestGlobalOutputArtifacts(t *testing.T) {
	w := workflow(t, globalArtifactsYAML)
	run := runArtifacts(t, w, nil)
	if run.status.Phase != Succeeded {
		t.Fatalf("workflow %s: %s", run.status.Phase, run.status.Message)
	}
	cm := ArtifactsConfigMapName(run.jobs[w.Name+"[0].generate"].Name)
	global := func(name string) compile.StoredArtifact {
		a := storedFile("hello-art", cm)
		a.Name, a.Path = name, ""
		return a
	}
	var got []compile.StoredArtifact
	if run.status.Outputs != nil {
		got = run.status.Outputs.Artifacts
	}
	if diff := cmp.Diff([]compile.StoredArtifact{global("my-global-art"), global("main-art")}, got); diff != "" {
		t.Errorf("workflow output artifacts (-want +got):\n%s", diff)
	}
	for _, node := range []string{w.Name + "[1].consume[0].read", w.Name + ".onExit[0].read"} {
		if diff := cmp.Diff([]string{cm}, mountedConfigMaps(run.jobs[node])); diff != "" {
			t.Errorf("%s mounts (-want +got):\n%s", node, diff)
		}
	}
}
