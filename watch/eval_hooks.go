package watch

import (
	"fmt"

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
		c := call{name: n.Name + ".onExit", display: n.DisplayName + ".onExit", template: hook.Template, args: hook.Arguments.Parameters}
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
