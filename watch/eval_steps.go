package watch

import (
	"fmt"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// steps runs step groups one after another; the steps of a group run at
// once. A group ends when all its steps have; a failed step fails the
// group and the template, and later groups do not start.
func (e *evaluator) steps(n *Node, t *wfv1.Template, vars compile.Vars, depth int) {
	// The template's own scope, to which each group's outputs are added
	// in place: copying it for each group made long templates quadratic.
	scope := vars.With(nil)
	defer e.span(n)
	defer e.boundary(n)()
	defer e.pushLimit(t, depth)()
	defer e.failFast(n, t, e.mark())() // the template's own failFast
	for g, group := range t.Steps {
		e.addGlobals(scope)
		gn := e.newNode(compile.StepGroupNodeName(n.Name, g), fmt.Sprintf("[%d]", g), compile.NodeStepGroup, t.Name)
		n.Children = append(n.Children, gn.ID)
		var made [][]*Node
		mayFail := map[string]bool{} // children whose continueOn allows their failure
		hooksDone := true
		for _, step := range group.Steps {
			c := call{name: compile.StepNodeName(n.Name, g, step.Name), display: step.Name, template: step.Template, local: compile.Vars{"steps.name": step.Name},
				when: step.When, param: step.WithParam, args: step.Arguments, items: step.WithItems, seq: step.WithSequence}
			nodes := e.expand(c, scope, depth)
			if !e.runEventHooks(nodes, step.Hooks, "steps", scope, depth) {
				hooksDone = false
			}
			if !e.runExitHooks(nodes, exitHook(step.Hooks, step.OnExit), "steps", scope, depth) {
				hooksDone = false
			}
			made = append(made, nodes)
			for _, c := range nodes {
				gn.Children = append(gn.Children, c.ID)
				if continuesOn(step.ContinueOn, c.Phase) {
					mayFail[c.ID] = true
				}
			}
		}
		fulfilled := e.allFulfilled(gn.Children) && hooksDone
		e.groupPhase(gn, fulfilled, mayFail)
		e.span(gn)
		if !fulfilled {
			n.Phase = Running
			return
		}
		if gn.Phase != Succeeded {
			n.Phase, n.Message = gn.Phase, gn.Message
			return
		}
		for k, step := range group.Steps {
			c := call{items: step.WithItems, param: step.WithParam, seq: step.WithSequence}
			e.addOutputVars(scope, "steps."+step.Name, made[k], c.loops())
		}
	}
	n.Phase = Succeeded
	e.templateOutputs(n, t, scope)
}

// groupPhase sets a group's phase from its children's: Running until all
// are fulfilled, then Failed if one failed or errored (unless mayFail,
// by its continueOn), else Succeeded.
func (e *evaluator) groupPhase(gn *Node, fulfilled bool, mayFail map[string]bool) {
	switch bad := e.firstFailed(gn.Children, mayFail); {
	case !fulfilled:
		gn.Phase = Running
	case bad != nil:
		gn.Phase, gn.Message = Failed, fmt.Sprintf("child '%s' failed", bad.ID)
	default:
		gn.Phase = Succeeded
	}
}

// templateOutputs lifts a steps or dag template's output parameters from
// its children (valueFrom.parameter), resolved in the final scope, and its
// output artifacts (see templateArtifacts).
func (e *evaluator) templateOutputs(n *Node, t *wfv1.Template, scope compile.Vars) {
	if len(t.Outputs.Parameters) == 0 {
		e.templateArtifacts(n, t, scope)
		return
	}
	n.Outputs = &Outputs{Parameters: map[string]string{}}
	for _, p := range t.Outputs.Parameters {
		src := ""
		switch {
		case p.ValueFrom != nil && p.ValueFrom.Parameter != "":
			src = p.ValueFrom.Parameter
		case p.ValueFrom != nil && p.ValueFrom.Expression != "":
			// expr-lang over the template's final scope, e.g.
			// steps['flip-coin'].outputs.result == 'heads' ? … : …
			src = "{{=" + p.ValueFrom.Expression + "}}"
		case p.Value != nil:
			src = p.Value.String()
		}
		v, missing := scope.Resolve(src)
		if len(missing) > 0 {
			if p.ValueFrom != nil && p.ValueFrom.Default != nil {
				n.Outputs.Parameters[p.Name] = p.ValueFrom.Default.String()
				continue
			}
			e.fail(n, Error, "failed to resolve {{%s}} for output parameter %q", missing[0], p.Name)
			return
		}
		n.Outputs.Parameters[p.Name] = v
	}
	e.templateArtifacts(n, t, scope)
}
