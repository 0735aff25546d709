package watch

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestAggregateOutputs: a loop's outputs, as Argo aggregates them.
func TestAggregateOutputs(t *testing.T) {
	child := func(phase Phase, result string, params map[string]string) *Node {
		out := &Outputs{Parameters: params}
		if result != "-" {
			out.Result = &result
		}
		return &Node{Phase: phase, Outputs: out}
	}
	tests := []struct {
		name  string
		nodes []*Node
		want  compile.Vars
	}{{
		name: "JSON results are listed as values",
		nodes: []*Node{
			child(Succeeded, `{"num": 1, "evenness": "odd"}`, nil),
			child(Succeeded, "2", nil),
			child(Succeeded, `"quoted"`, nil),
			child(Succeeded, "[1, 2]\n", nil),
		},
		want: compile.Vars{
			"steps.x.outputs.result":     `[{"num":1,"evenness":"odd"},2,"quoted",[1,2]]`,
			"steps.x.outputs.parameters": `[]`,
		},
	}, {
		name:  "text results are listed as strings",
		nodes: []*Node{child(Succeeded, "hello world", nil), child(Succeeded, "", nil)},
		want: compile.Vars{
			"steps.x.outputs.result":     `["hello world",""]`,
			"steps.x.outputs.parameters": `[]`,
		},
	}, {
		name: "only succeeded children count",
		nodes: []*Node{
			child(Succeeded, "1", map[string]string{"p": "a"}),
			child(Failed, "2", map[string]string{"p": "b"}),
			{Phase: Skipped},
		},
		want: compile.Vars{
			"steps.x.outputs.result":       `[1]`,
			"steps.x.outputs.parameters":   `[{"p":"a"}]`,
			"steps.x.outputs.parameters.p": `["a"]`,
		},
	}, {
		name: "parameter values are parsed when all are objects or lists",
		nodes: []*Node{
			child(Succeeded, "-", map[string]string{"obj": `{"b": 1, "a": 2}`, "mixed": `{"a": 1}`}),
			child(Succeeded, "-", map[string]string{"obj": `[3]`, "mixed": `4`}),
		},
		want: compile.Vars{
			"steps.x.outputs.result":           `[]`,
			"steps.x.outputs.parameters":       `[{"mixed":"{\"a\": 1}","obj":"{\"b\": 1, \"a\": 2}"},{"mixed":"4","obj":"[3]"}]`,
			"steps.x.outputs.parameters.obj":   `[{"a":2,"b":1},[3]]`,
			"steps.x.outputs.parameters.mixed": `["{\"a\": 1}","4"]`,
		},
	}}
	e := &evaluator{}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, e.outputVars("steps.x", tt.nodes, true)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}

// TestLoopOverAggregatedObjects runs Argo's parameter-aggregation-script
// example: a loop over the JSON objects a loop printed reads their keys.
func TestLoopOverAggregatedObjects(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: odd-or-even
        template: odd-or-even
        arguments: {parameters: [{name: num, value: "{{item}}"}]}
        withItems: [1, 2, 3, 4]
    - - name: divide-by-2
        template: echo
        arguments: {parameters: [{name: num, value: "{{item.num}}"}]}
        withParam: "{{steps.odd-or-even.outputs.result}}"
        when: "{{item.evenness}} == even"
  - name: odd-or-even
    inputs: {parameters: [{name: num}]}
    container: {image: busybox, command: [odd-or-even, "{{inputs.parameters.num}}"]}
  - name: echo
    inputs: {parameters: [{name: num}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.num}}"]}
`)
	var echoed []string
	status, _ := simulate(t, w, func(node string, cmd []string) PodResult {
		if cmd[0] == "echo" {
			echoed = append(echoed, cmd[1])
			return succeed("")
		}
		evenness := map[string]string{"1": "odd", "2": "even", "3": "odd", "4": "even"}[cmd[1]]
		return succeed(`{"num": ` + cmd[1] + `, "evenness": "` + evenness + `"}` + "\n")
	})
	if status.Phase != Succeeded {
		t.Fatalf("phase %s %q, want Succeeded", status.Phase, status.Message)
	}
	if d := cmp.Diff([]string{"2", "4"}, echoed); d != "" {
		t.Errorf("divide-by-2 ran with (-want +got):\n%s", d)
	}
	skipped := status.Nodes[compile.NodeID(w.Name, w.Name+`[1].divide-by-2(0:evenness:odd,num:1)`)]
	if skipped == nil || skipped.Phase != Skipped {
		t.Errorf("divide-by-2(0) = %+v, want Skipped", skipped)
	}
}

// TestSkippedProducerOutputs: references to the outputs of a Skipped or
// Omitted node, by Argo's rule (docs/variables.md, "Outputs of Skipped and
// Omitted Nodes"; examples/skipped-output-defaults).
func TestSkippedProducerOutputs(t *testing.T) {
	const head = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: produce
    outputs:
      parameters:
      - name: msg
        valueFrom: {path: /tmp/out.txt%s}
    container: {image: busybox, command: [produce]}
  - name: consume
    inputs: {parameters: [{name: in%s}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.in}}"]}
`
	dag := func(producer, arg string) string {
		return `  - name: main
    dag:
      tasks:
      - {name: first, template: consume, arguments: {parameters: [{name: in, value: x}]}}
      - {name: producer, template: produce, ` + producer + `}
      - name: consumer
        template: consume
        depends: "producer.Succeeded || producer.Skipped || producer.Omitted"
        arguments: {parameters: [{name: in, value: "` + arg + `"}]}
`
	}
	const ref = "{{tasks.producer.outputs.parameters.msg}}"
	tests := []struct {
		name, producerDefault, inputDefault, main string
		echoed                                    string // what consumer echoes, or
		failure                                   string // the message it fails with
	}{{
		name:            "producer's output default",
		producerDefault: ", default: hello-from-producer",
		main:            dag(`when: "false"`, ref),
		echoed:          "hello-from-producer",
	}, {
		name:         "consumer's input default",
		inputDefault: ", default: fallback-from-input",
		main:         dag(`when: "false"`, ref),
		echoed:       "fallback-from-input",
	}, {
		name:            "omitted producer",
		producerDefault: ", default: d",
		main:            dag(`depends: "first.Failed"`, ref),
		echoed:          "d",
	}, {
		name:   "expression fallback",
		main:   dag(`when: "false"`, "{{=tasks.producer.outputs.parameters.msg ?? 'expr-fallback'}}"),
		echoed: "expr-fallback",
	}, {
		name:    "no default anywhere",
		main:    dag(`when: "false"`, ref),
		failure: "failed to resolve {{inputs.parameters.in}}",
	}, {
		// Not a whole-value reference: the input default does not apply.
		name:         "inside other text",
		inputDefault: ", default: unused",
		main:         dag(`when: "false"`, "got "+ref),
		failure:      "failed to resolve {{tasks.producer.outputs.parameters.msg}}",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(head, "%s", tt.producerDefault, 1)
			src = strings.Replace(src, "%s", tt.inputDefault, 1) + tt.main
			w := workflow(t, src)
			var echoed []string
			status, _ := simulate(t, w, func(node string, cmd []string) PodResult {
				if strings.HasSuffix(node, ".consumer") {
					echoed = append(echoed, cmd[1])
				}
				return succeed("")
			})
			consumer := status.Nodes[compile.NodeID(w.Name, w.Name+".consumer")]
			if tt.failure != "" {
				if consumer == nil || consumer.Phase != Error || consumer.Message != tt.failure {
					t.Errorf("consumer = %+v, want Error %q", consumer, tt.failure)
				}
				return
			}
			if status.Phase != Succeeded || len(echoed) != 1 || echoed[0] != tt.echoed {
				t.Errorf("phase %s %q, consumer echoed %q; want Succeeded, echoed %q", status.Phase, status.Message, echoed, tt.echoed)
			}
		})
	}
}

// TestSkippedOutputsInTemplateOutputs: a steps template's output lifted
// from a skipped step takes the producer's default, else its own.
func TestSkippedOutputsInTemplateOutputs(t *testing.T) {
	tests := []struct {
		name, producerDefault, ownDefault string
		want                              string
		failure                           bool
	}{
		{name: "producer default", producerDefault: ", default: p", ownDefault: ", default: o", want: "p"},
		{name: "own default", ownDefault: ", default: o", want: "o"},
		{name: "no default", failure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: producer, template: produce, when: "false"}
    outputs:
      parameters:
      - name: out
        valueFrom: {parameter: "{{steps.producer.outputs.parameters.msg}}"`+tt.ownDefault+`}
  - name: produce
    outputs:
      parameters:
      - name: msg
        valueFrom: {path: /tmp/out.txt`+tt.producerDefault+`}
    container: {image: busybox}
`)
			status, _ := simulate(t, w, func(string, []string) PodResult { return succeed("") })
			root := status.Nodes[status.Root]
			if tt.failure {
				if root.Phase != Error {
					t.Errorf("root %s %q, want Error", root.Phase, root.Message)
				}
				return
			}
			if root.Phase != Succeeded || root.Outputs == nil || root.Outputs.Parameters["out"] != tt.want {
				t.Errorf("root %s %+v, want Succeeded with out=%q", root.Phase, root.Outputs, tt.want)
			}
		})
	}
}
