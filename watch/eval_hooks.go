package watch

import (
	"fmt"
	"maps"
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// exitHook is a step's or task's exit hook: hooks.exit, or the older
// onExit template name, as Argo's GetExitHook reads them.
func exitHook(hooks wfv1.LifecycleHooks, onExit string) *wfv1.LifecycleHook {
	if onExit != "" {
		return &wfv1.LifecycleHook{Template: onExit}
	}
	if h, ok := hooks["exit"]; ok {
		return &h
	}
	return nil
}

// runExitHooks runs hook for each of a step's or task's nodes that has
// completed, as node NAME.onExit, a child of that node (as Argo does),
// with the node's own outputs and status in scope under prefix
// ("steps" or "tasks"). It reports whether every hook that runs has
// ended: the step group or DAG waits for them. A hook's failure fails
// nothing but itself, as in Argo.
func (e *evaluator) runExitHooks(nodes []*Node, hook *wfv1.LifecycleHook, prefix string, scope compile.Vars, depth int) bool {
	if hook == nil || e.obs.Shutdown == Terminate {
		return true
	}
	done := true
	for _, n := range nodes {
		if !n.Phase.Completed() {
			continue
		}
		vars := scope.With(e.outputVars(prefix+"."+n.DisplayName, []*Node{n}, false))
		if hook.Expression != "" {
			ok, err := exprBool(hook.Expression, vars)
			if err != nil {
				e.fail(e.newNode(n.Name+".onExit", n.DisplayName+".onExit", "Unknown", hook.Template), Error, "hook expression: %v", err)
				continue
			}
			if !ok {
				continue
			}
		}
		c := call{name: n.Name + ".onExit", display: n.DisplayName + ".onExit", template: hook.Template, args: hook.Arguments, local: compile.TopLocal()}
		saved := e.exiting
		e.exiting = true // a Stop lets exit hooks run
		for _, h := range e.expand(c, vars, depth) {
			n.Children = append(n.Children, h.ID)
			done = done && h.Phase.Fulfilled()
		}
		e.exiting = saved
	}
	return done
}

// exprBool evaluates an expr-lang condition over scope, as Argo's
// hook and retry expressions are.
func exprBool(expr string, scope compile.Vars) (bool, error) {
	out, missing := scope.Resolve("{{=" + expr + "}}")
	if len(missing) > 0 {
		return false, fmt.Errorf("failed to resolve %s", missing[0])
	}
	switch out {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", out)
}

// runEventHooks runs a step's or task's hooks other than exit, for each
// of its nodes, as node NAME.hooks.HOOK, a child of that node: a hook
// starts once its expression holds over the node's status and outputs,
// and once started it is followed to its end whatever the expression says
// later, as Argo does. It reports whether every hook that runs has ended:
// the step group or DAG waits for them.
func (e *evaluator) runEventHooks(nodes []*Node, hooks wfv1.LifecycleHooks, prefix string, scope compile.Vars, depth int) bool {
	if len(hooks) == 0 || e.obs.Shutdown == Terminate {
		return true
	}
	done := true
	for _, n := range nodes {
		vars := scope.With(e.outputVars(prefix+"."+n.DisplayName, []*Node{n}, false))
		kids, ok := e.eventHooks(n.Name, n.DisplayName, hooks, vars, depth)
		for _, h := range kids {
			n.Children = append(n.Children, h.ID)
		}
		done = done && ok
	}
	return done
}

// eventHooks evaluates the hooks (but exit) of the node named parent with
// vars in scope, and returns the hook nodes that run and whether all of
// them have ended. A hook whose expression does not hold is evaluated
// tentatively: kept if it already started, undone otherwise.
func (e *evaluator) eventHooks(parent, display string, hooks wfv1.LifecycleHooks, vars compile.Vars, depth int) ([]*Node, bool) {
	var out []*Node
	done := true
	for _, name := range slices.Sorted(maps.Keys(hooks)) {
		if name == "exit" {
			continue
		}
		hook := hooks[name]
		holds, err := exprBool(hook.Expression, vars)
		m := e.mark()
		c := call{name: parent + ".hooks." + name, display: display + ".hooks." + name, template: hook.Template, args: hook.Arguments, local: compile.TopLocal()}
		ran := e.expand(c, vars, depth)
		if (err != nil || !holds) && !e.startedSince(m) {
			e.undo(m)
			continue
		}
		for _, h := range ran {
			out = append(out, h)
			done = done && h.Phase.Fulfilled()
		}
	}
	return out, done
}

// workflowHooks runs spec.hooks (but exit) with {{workflow.status}}
// Running, as node WF.hooks.HOOK, a child of the root node. The workflow
// ends only once they have.
func (e *evaluator) workflowHooks(root *Node) bool {
	vars := e.globals.With(compile.Vars{"workflow.status": string(Running)})
	kids, done := e.eventHooks(root.Name, root.Name, e.w.Spec.Hooks, vars, 0)
	for _, h := range kids {
		root.Children = append(root.Children, h.ID)
	}
	return done
}
