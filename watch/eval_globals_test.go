package watch

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// echoing runs pods that succeed; a pod whose command starts with
// "produce" writes its second word to its output file. It records each
// pod's command line, by node name.
func echoing(commands map[string]string) outcome {
	return func(node string, command []string) PodResult {
		commands[node] = strings.Join(command, " ")
		r := succeed("")
		if len(command) > 1 && command[0] == "produce" {
			out := command[1]
			r.OutputFile = &out
		}
		return r
	}
}

func TestGlobalOutputs(t *testing.T) {
	const produce = `  - name: produce
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [produce, "{{inputs.parameters.v}}"]}
    outputs:
      parameters:
      - {name: p, globalName: g, valueFrom: {path: /tmp/p}}
  - name: consume
    inputs: {parameters: [{name: v, value: "{{workflow.outputs.parameters.g}}"}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
`
	for _, tc := range []struct {
		name, src string
		want      map[string]string // node -> its command
		outputs   map[string]string
	}{{
		// examples/global-outputs.yaml, its parameter half: a later step
		// and the exit handler see the global output.
		name: "a later step and the exit handler",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  onExit: consume
  templates:
  - name: main
    steps:
    - - {name: make, template: produce, arguments: {parameters: [{name: v, value: hello}]}}
    - - {name: use, template: consume}
` + produce,
		want:    map[string]string{"wf[0].make": "produce hello", "wf[1].use": "echo hello", "wf.onExit": "echo hello"},
		outputs: map[string]string{"g": "hello"},
	}, {
		name: "a dependent task; the last export wins",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: produce, arguments: {parameters: [{name: v, value: one}]}}
      - {name: B, template: consume, depends: A}
      - {name: C, template: produce, depends: B, arguments: {parameters: [{name: v, value: two}]}}
      - {name: D, template: consume, depends: C}
` + produce,
		want:    map[string]string{"wf.A": "produce one", "wf.B": "echo one", "wf.C": "produce two", "wf.D": "echo two"},
		outputs: map[string]string{"g": "two"},
	}, {
		// A steps template's own output, and a globalName given by a tag.
		name: "a steps template's output, named by its input",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: inner, template: inner, arguments: {parameters: [{name: n, value: g}]}}
    - - {name: use, template: consume}
  - name: inner
    inputs: {parameters: [{name: n}]}
    steps:
    - - {name: make, template: produce, arguments: {parameters: [{name: v, value: deep}]}}
    outputs:
      parameters:
      - {name: out, globalName: "{{inputs.parameters.n}}", valueFrom: {parameter: "{{steps.make.outputs.parameters.p}}"}}
` + strings.Replace(produce, "globalName: g, ", "", 1),
		want:    map[string]string{"wf[0].inner[0].make": "produce deep", "wf[1].use": "echo deep"},
		outputs: map[string]string{"g": "deep"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			commands := map[string]string{}
			status, _ := simulate(t, workflow(t, tc.src), echoing(commands))
			if status.Phase != Succeeded {
				t.Fatalf("phase %s: %s", status.Phase, status.Message)
			}
			if diff := cmp.Diff(tc.want, commands); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
			var got map[string]string
			if status.Outputs != nil {
				got = status.Outputs.Parameters
			}
			if diff := cmp.Diff(tc.outputs, got); diff != "" {
				t.Errorf("status outputs (-want +got):\n%s", diff)
			}
		})
	}
}

// Until the producer ends there is no global output: the status lists
// none, and nothing that needs it starts.
func TestGlobalOutputsWaitForTheProducer(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: produce}
    - - {name: use, template: consume}
  - name: produce
    container: {image: busybox, command: [produce, x]}
    outputs:
      parameters:
      - {name: p, globalName: g, valueFrom: {path: /tmp/p}}
  - name: consume
    container: {image: busybox, command: [echo, "{{workflow.outputs.parameters.g}}"]}
`)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, actions := Evaluate(w, obs)
	obs.Jobs[actions.Create[0].Job.Name] = PodResult{Phase: Running}
	status, actions := Evaluate(w, obs)
	if status.Outputs != nil || len(actions.Create) != 0 {
		t.Errorf("with the producer running: outputs %+v, creates %v; want none", status.Outputs, createdNodes(actions))
	}
}
