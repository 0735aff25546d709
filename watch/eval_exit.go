package watch

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// exitHandler evaluates spec.onExit once the workflow's main part has
// ended, as node WF.onExit with {{workflow.status}}, {{workflow.failures}}
// and {{workflow.duration}} set; nil when there is none to run (none
// given, the main part still running, or a Terminate before it started).
func (e *evaluator) exitHandler(root *Node) *Node {
	name, args := e.w.Spec.OnExit, e.w.Spec.Arguments
	if h, ok := e.w.Spec.Hooks["exit"]; ok && name == "" {
		// spec.hooks.exit is the same handler, with arguments of its own.
		name, args = h.Template, h.Arguments
	}
	if name == "" || !root.Phase.Fulfilled() {
		return nil
	}
	t, ok := e.w.Template(name)
	if !ok {
		return e.fail(e.newNode(root.Name+".onExit", root.Name+".onExit", "Unknown", name), Error, "onExit template %q is not defined", name)
	}
	status := root.Phase
	if status == Skipped || status == Omitted {
		status = Succeeded
	}
	duration := 0.0
	if root.StartedAt != nil && root.FinishedAt != nil {
		duration = root.FinishedAt.Sub(*root.StartedAt).Seconds()
	}
	saved := e.globals
	e.globals = e.globals.With(compile.Vars{
		"workflow.status":   string(status),
		"workflow.failures": e.failures(),
		"workflow.duration": fmt.Sprintf("%f", duration),
	})
	e.exiting = true
	defer func() { e.globals, e.exiting = saved, false }()
	return e.node(root.Name+".onExit", root.Name+".onExit", t, args, e.globals, nil, 0)
}

// failedNode is one entry of {{workflow.failures}}, as Argo lists them.
type failedNode struct {
	DisplayName  string     `json:"displayName"`
	Message      string     `json:"message"`
	TemplateName string     `json:"templateName"`
	Phase        string     `json:"phase"`
	PodName      string     `json:"podName"`
	FinishedAt   *time.Time `json:"finishedAt"`
}

// failures is the JSON list of the failed and errored nodes so far, in
// name order (Argo's is in map order).
func (e *evaluator) failures() string {
	var nodes []*Node
	for _, n := range e.status.Nodes {
		if n.Phase == Failed || n.Phase == Error {
			nodes = append(nodes, n)
		}
	}
	slices.SortFunc(nodes, func(a, b *Node) int { return strings.Compare(a.Name, b.Name) })
	out := make([]failedNode, len(nodes))
	for i, n := range nodes {
		out[i] = failedNode{DisplayName: n.DisplayName, Message: n.Message, TemplateName: n.Template, Phase: string(n.Phase), PodName: n.Pod, FinishedAt: n.FinishedAt}
	}
	return mustJSON(out)
}
