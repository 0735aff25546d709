package watch

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestFailuresPodNames: {{workflow.failures}} gives every failed node a
// podName and templateName as Argo does: the pod's own name when it has
// one, else the name Argo's generator gives (WORKFLOW-TEMPLATE-HASH, the
// workflow's name for the root, WORKFLOW-HASH with no template).
func TestFailuresPodNames(t *testing.T) {
	hash := func(node string) string {
		h := fnv.New32a()
		h.Write([]byte(node))
		return fmt.Sprint(h.Sum32())
	}
	tests := []struct {
		name         string
		node         Node
		pod          string
		templateName string
	}{
		{name: "root steps node", node: Node{Name: "wf", Type: compile.NodeSteps, Template: "main"},
			pod: "wf", templateName: "main"},
		{name: "a step group names no template", node: Node{Name: "wf[0]", Type: compile.NodeStepGroup, Template: "main"},
			pod: "wf-" + hash("wf[0]"), templateName: ""},
		{name: "a dag node", node: Node{Name: "wf[0].graph", Type: compile.NodeDAG, Template: "graph"},
			pod: "wf-graph-" + hash("wf[0].graph"), templateName: "graph"},
		{name: "a retry node", node: Node{Name: "wf[0].flaky", Type: compile.NodeRetry, Template: "flaky"},
			pod: "wf-flaky-" + hash("wf[0].flaky"), templateName: "flaky"},
		{name: "a pod node with its pod", node: Node{Name: "wf[0].flaky(1)", Type: compile.NodePod, Template: "flaky", Pod: "wf-flaky-123-x7k2p"},
			pod: "wf-flaky-123-x7k2p", templateName: "flaky"},
		{name: "a pod node whose Job made no pod", node: Node{Name: "wf[0].flaky(0)", Type: compile.NodePod, Template: "flaky"},
			pod: "wf-flaky-" + hash("wf[0].flaky(0)"), templateName: "flaky"},
		{name: "a templateRef's template", node: Node{Name: "wf[1].ref", Type: compile.NodePod, Template: "shared/say"},
			pod: "wf-say-" + hash("wf[1].ref"), templateName: "say"},
		{name: "an inline template", node: Node{Name: "wf[1].inline", Type: compile.NodePod, Template: compile.InlinePrefix + "main.inline"},
			pod: "wf-" + hash("wf[1].inline"), templateName: ""},
		{name: "a suspend node", node: Node{Name: "wf[1].approve", Type: compile.NodeSuspend, Template: "approve"},
			pod: "wf-approve-" + hash("wf[1].approve"), templateName: "approve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.node
			n.Phase = Failed
			e := &evaluator{w: &compile.Workflow{Name: "wf"}, status: &Status{Nodes: map[string]*Node{"id": &n}}}
			raw, err := strconv.Unquote(e.failures())
			if err != nil {
				t.Fatal(err)
			}
			var got []failedNode
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatal(err)
			}
			want := []failedNode{{Phase: "Failed", PodName: tt.pod, TemplateName: tt.templateName}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
