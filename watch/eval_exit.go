package watch

import (
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
	// workflow.duration stays the running one (RunningVars): Argo's
	// handler gets the seconds from the workflow's start to the reconcile
	// that runs it.
	saved := e.globals
	e.globals = e.globals.With(compile.Vars{
		"workflow.status":   string(status),
		"workflow.failures": e.failures(),
	})
	e.exiting = true
	defer func() { e.globals, e.exiting = saved, false }()
	return e.node(root.Name+".onExit", root.Name+".onExit", t, args, e.globals, compile.TopLocal(), 0)
}

// failedNode is one entry of {{workflow.failures}}, as Argo lists them.
type failedNode struct {
	DisplayName  string       `json:"displayName"`
	Message      string       `json:"message"`
	TemplateName string       `json:"templateName"`
	Phase        string       `json:"phase"`
	PodName      string       `json:"podName"`
	FinishedAt   *metav1.Time `json:"finishedAt"`
}

// argoTemplateName is the template Argo names a node's: a step group
// names none, nor does a step's or task's inline template, and one a
// templateRef copied in ("NAME/TEMPLATE") is named TEMPLATE.
func argoTemplateName(n *Node) string {
	if n.Type == compile.NodeStepGroup || compile.IsInline(n.Template) {
		return ""
	}
	return n.Template[strings.LastIndexByte(n.Template, '/')+1:]
}

// failures is the JSON list of the failed and errored nodes so far, in
// name order (Argo's is in map order), null when there are none, given as
// a Go-quoted string as Argo gives it (quotes around it, its own quotes
// escaped), so that a shell's echo "{{workflow.failures}}" prints JSON.
func (e *evaluator) failures() string {
	var nodes []*Node
	for _, n := range e.status.Nodes {
		if n.Phase == Failed || n.Phase == Error {
			nodes = append(nodes, n)
		}
	}
	slices.SortFunc(nodes, func(a, b *Node) int { return strings.Compare(a.Name, b.Name) })
	var out []failedNode // null when none, as Argo's
	for _, n := range nodes {
		template := argoTemplateName(n)
		f := failedNode{DisplayName: n.DisplayName, Message: n.Message, TemplateName: template, Phase: string(n.Phase), PodName: n.Pod}
		if f.PodName == "" {
			// A node with no pod (a steps or dag node, a Job that made
			// none) gets the name Argo's generator gives every node.
			f.PodName = compile.JobName(e.w.Name, template, n.Name)
		}
		if n.FinishedAt != nil {
			f.FinishedAt = &metav1.Time{Time: *n.FinishedAt} // to the second, in UTC
		}
		out = append(out, f)
	}
	return strconv.Quote(mustJSON(out))
}
