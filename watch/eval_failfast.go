package watch

import (
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// failFastMessage is Argo's message on a steps or dag template that its
// failFast stopped.
const failFastMessage = "template has failed or errored children and failFast enabled"

// failFast applies a steps or dag template's own failFast (Argo's
// checkParallelism): once one of the template's children (a pod, a retry
// attempt, a nested steps or dag node) has failed or errored, whatever
// its continueOn, nothing new starts under the template, and the
// template fails once the pods it started have ended. It is deferred
// right after the template's own evaluation begins, at mark m, so that
// it undoes what that evaluation would start.
func (e *evaluator) failFast(n *Node, t *wfv1.Template, m mark) func() {
	if t.FailFast == nil || !*t.FailFast {
		return func() {}
	}
	return func() {
		if !e.childFailed(n) {
			return
		}
		e.withhold(n, m)
		n.Outputs = nil
		if e.podsActive(n) {
			n.Phase, n.Message = Running, ""
			return
		}
		n.Phase, n.Message = Failed, failFastMessage
		if n.Type == compile.NodeSteps && len(n.Children) > 0 {
			// Argo marks the step group it stopped in too.
			g := e.status.Nodes[n.Children[len(n.Children)-1]]
			g.Phase, g.Message = Failed, failFastMessage
			e.span(g)
		}
	}
}

// childFailed reports whether a node under n's boundary (not inside a
// nested steps or dag node) failed or errored. Argo counts pods, steps and
// dags, so a failed retry attempt counts as well.
func (e *evaluator) childFailed(n *Node) bool {
	for _, id := range n.Children {
		c := e.status.Nodes[id]
		switch c.Type {
		case compile.NodePod, compile.NodeResource, compile.NodeSteps, compile.NodeDAG:
			if c.Phase == Failed || c.Phase == Error {
				return true
			}
		case compile.NodeStepGroup, compile.NodeTaskGroup, compile.NodeRetry:
			if e.childFailed(c) {
				return true
			}
		}
	}
	return false
}

// podsActive reports whether a pod under n that has started is still
// running (daemons aside: they are stopped once n ends). Unlike Argo,
// which waits only for the pods of n's own boundary, this waits for
// nested templates' pods too, so none is left running in an ended
// workflow.
func (e *evaluator) podsActive(n *Node) bool {
	for _, id := range n.Children {
		c := e.status.Nodes[id]
		switch {
		case c.Type == compile.NodePod || isHTTP(c):
			if _, ok := e.obs.Jobs[c.Job]; ok && !c.done() {
				return true
			}
		case c.Type == compile.NodeResource:
			if _, ok := e.obs.Resources[c.Name]; ok && !c.done() {
				return true
			}
		case e.podsActive(c):
			return true
		}
	}
	return false
}

// withhold drops what the evaluation since m would start (Jobs,
// suspends, resource actions not yet done) and the nodes of it: in Argo
// they are never created. Containers left empty go too.
func (e *evaluator) withhold(n *Node, m mark) {
	drop := map[string]bool{}
	for _, c := range e.actions.Create[m.creates:] {
		drop[compile.NodeID(e.w.Name, c.Node)] = true
	}
	e.actions.Create = e.actions.Create[:m.creates]
	for _, s := range e.actions.StartSuspends[m.suspends:] {
		drop[compile.NodeID(e.w.Name, s)] = true
	}
	e.actions.StartSuspends = e.actions.StartSuspends[:m.suspends]
	kept := e.actions.Resources[:m.resources]
	for _, r := range e.actions.Resources[m.resources:] {
		if r.State == nil {
			drop[compile.NodeID(e.w.Name, r.Node)] = true
			continue
		}
		kept = append(kept, r)
	}
	e.actions.Resources = kept
	if len(drop) == 0 {
		return
	}
	// Nodes are created parents first, so going backwards sees a node
	// after all its children were dropped.
	created := e.created[m.created:]
	for i := len(created) - 1; i >= 0; i-- {
		c := e.status.Nodes[created[i]]
		if c == nil || drop[c.ID] {
			continue
		}
		c.Children = slices.DeleteFunc(c.Children, func(id string) bool { return drop[id] })
		switch c.Type {
		case compile.NodeStepGroup, compile.NodeTaskGroup, compile.NodeRetry, compile.NodeSteps, compile.NodeDAG:
			if len(c.Children) == 0 && !c.Phase.Fulfilled() {
				drop[c.ID] = true
			}
		}
	}
	n.Children = slices.DeleteFunc(n.Children, func(id string) bool { return drop[id] })
	for id := range drop {
		delete(e.status.Nodes, id)
	}
}
