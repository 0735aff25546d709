package watch

import (
	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// globalOutputPrefix names a global output parameter as a variable.
const globalOutputPrefix = "workflow.outputs.parameters."

// exportGlobals exports n's output parameters that have a globalName, once
// n has its outputs, as Argo's addParamToGlobalScope does: from then on
// {{workflow.outputs.parameters.NAME}} resolves in whatever is evaluated
// after n (later steps, dependent tasks, the exit handler), and the
// workflow's status lists it. A name exported twice takes the value of
// the node evaluated last. vars resolve a globalName given as a tag.
func (e *evaluator) exportGlobals(n *Node, t *wfv1.Template, vars compile.Vars) {
	if n.Outputs == nil {
		return
	}
	for _, p := range t.Outputs.Parameters {
		v, ok := n.Outputs.Parameters[p.Name]
		if p.GlobalName == "" || !ok {
			continue
		}
		name, missing := vars.Resolve(p.GlobalName)
		if len(missing) > 0 {
			continue // Argo leaves it unexported too
		}
		if e.status.Outputs == nil {
			e.status.Outputs = &Outputs{Parameters: map[string]string{}}
		}
		e.status.Outputs.Parameters[name] = v
		e.globals[globalOutputPrefix+name] = v
	}
}

// addGlobals sets in scope, which the caller made and owns, the global
// outputs exported so far: a steps or dag template's scope is made when it
// starts, and its later steps and tasks must see what its earlier ones
// exported.
func (e *evaluator) addGlobals(scope compile.Vars) {
	if e.status.Outputs == nil {
		return
	}
	for name, v := range e.status.Outputs.Parameters {
		scope[globalOutputPrefix+name] = v
	}
}
