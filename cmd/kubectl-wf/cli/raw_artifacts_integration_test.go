package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// rawArgumentsWorkflow is Argo's artifact-path-placeholders.yaml without
// its output artifact: spec.arguments.artifacts feed the entrypoint.
const rawArgumentsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: raw-artifact-arguments}
spec:
  entrypoint: head-lines
  arguments:
    parameters: [{name: lines-count, value: '3'}]
    artifacts:
    - name: text
      raw:
        data: |
          1
          2
          3
          4
          5
  templates:
  - name: head-lines
    inputs:
      parameters: [{name: lines-count}]
      artifacts: [{name: text, path: /inputs/text/data}]
    container:
      image: busybox
      command: [sh, -c, 'head -n {{inputs.parameters.lines-count}} < "{{inputs.artifacts.text.path}}" | tr "\n" " "; echo; echo "{{workflow.name}}" > {{inputs.artifacts.text.path}} || echo read-only']
`

// TestRawArtifactsOnCluster: raw input artifacts reach the container as
// files, from the template's own data, a step's argument and the
// workflow's arguments, with their mode; an optional one given nothing is
// absent, and a script's staging directory holds the script alone.
func TestRawArtifactsOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	tests := []struct {
		name, file string
		want       []string // lines of the logs, each after its node's name
	}{{
		name: "fixture",
		file: filepath.Join(fixturesDir, "raw-artifacts.yaml"),
		want: []string{
			".own: own: mode 755",
			".own: own data of raw-artifacts",
			".passed: step: mode 755",
			".passed: hello from a step's argument",
			".script: data: mode 644, script data",
			".script: maybe: absent",
			".script: staging: script",
		},
	}, {
		name: "spec.arguments",
		file: writeTemp(t, rawArgumentsWorkflow),
		want: []string{
			"raw-artifact-arguments: 1 2 3 ",
			"raw-artifact-arguments: read-only",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			code, out, errOut := onCluster(t, ns, "submit", tt.file)
			if code != 0 {
				t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			doc := getJSON(t, ns, submitted(t, out))
			if doc.Status.Phase != watch.Succeeded {
				t.Fatalf("phase %s, want Succeeded (%s)", doc.Status.Phase, doc.Status.Message)
			}
			logs := logsOf(t, ns, doc.Name)
			for _, line := range tt.want {
				if !strings.Contains(logs, line+"\n") {
					t.Errorf("logs lack %q:\n%s", line, logs)
				}
			}
		})
	}
}
