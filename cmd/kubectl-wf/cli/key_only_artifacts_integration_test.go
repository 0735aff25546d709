package cli

import (
	"strings"
	"testing"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// keyOnlyArtifactsWorkflow is Argo's map-reduce example in sh: split saves
// a directory of parts at a key, each map reads its part by key (a file
// of that directory) and saves its result under results/, and reduce
// reads results/ whole, a directory of files several pods saved. lost
// reads a key nothing was saved at.
const keyOnlyArtifactsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: key-only-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: split, template: split}
      - name: map
        template: map
        depends: split
        withParam: "{{tasks.split.outputs.result}}"
        arguments:
          parameters: [{name: id, value: "{{item}}"}]
          artifacts: [{name: part, s3: {key: "{{workflow.name}}/parts/{{item}}.txt"}}]
      - {name: reduce, template: reduce, depends: map}
  - name: split
    script:
      image: busybox
      command: [sh]
      source: |
        mkdir -p /out
        for i in 0 1 2; do echo "$((i + 1))" > /out/$i.txt; done
        echo '["0","1","2"]'
    outputs:
      artifacts: [{name: parts, path: /out, s3: {key: "{{workflow.name}}/parts/"}}]
  - name: map
    inputs:
      parameters: [{name: id}]
      artifacts: [{name: part, path: /in/part.txt}]
    script:
      image: busybox
      command: [sh]
      source: echo "$(( $(cat /in/part.txt) * 2 ))" > /tmp/result.txt
    outputs:
      artifacts: [{name: result, path: /tmp/result.txt, s3: {key: "{{workflow.name}}/results/{{inputs.parameters.id}}.txt"}}]
  - name: reduce
    inputs:
      artifacts: [{name: results, path: /in, s3: {key: "{{workflow.name}}/results"}}]
    script:
      image: busybox
      command: [sh]
      source: |
        cd /in && for f in *; do echo "$f $(cat $f)"; done
        echo "total $(cat /in/* | awk '{s += $1} END {print s}')"
`

// lostKeyWorkflow's one pod takes an input at a key nothing saved.
const lostKeyWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: lost-key-}
spec:
  entrypoint: lost
  templates:
  - name: lost
    inputs:
      artifacts: [{name: in, path: /in, s3: {key: "{{workflow.name}}/nothing"}}]
    container: {image: busybox, command: [cat, /in]}
`

// TestKeyOnlyArtifactsOnCluster: key-only artifacts pass between the pods
// of a workflow by key, a directory gathering what several pods saved;
// a key nothing was saved at errors the node in Argo's words.
func TestKeyOnlyArtifactsOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	t.Run("map-reduce", func(t *testing.T) {
		ns := testcluster.Namespace(t, cs)
		code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, keyOnlyArtifactsWorkflow))
		if code != 0 {
			t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		doc := getJSON(t, ns, submitted(t, out))
		if doc.Status.Phase != watch.Succeeded {
			t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
		}
		logs := logsOf(t, ns, doc.Name)
		for _, line := range []string{".reduce: 0.txt 2", ".reduce: 1.txt 4", ".reduce: 2.txt 6", ".reduce: total 12"} {
			if !strings.Contains(logs, line+"\n") {
				t.Errorf("logs lack %q:\n%s", line, logs)
			}
		}
	})
	t.Run("lost key", func(t *testing.T) {
		ns := testcluster.Namespace(t, cs)
		_, out, _ := onCluster(t, ns, "submit", writeTemp(t, lostKeyWorkflow))
		doc := getJSON(t, ns, submitted(t, out))
		want := "artifact in failed to load: no key found of name " + doc.Name + "/nothing"
		if n := nodeByName(doc, doc.Name); doc.Status.Phase != watch.Error || n == nil || n.Message != want {
			t.Errorf("phase %s, node %+v; want Error: %s", doc.Status.Phase, n, want)
		}
	})
}
