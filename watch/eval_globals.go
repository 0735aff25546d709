package watch

import (
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// globalOutputPrefix and globalArtifactPrefix name global outputs as
// variables.
const (
	globalOutputPrefix   = "workflow.outputs.parameters."
	globalArtifactPrefix = "workflow.outputs.artifacts."
)

// exportGlobals exports n's output parameters and artifacts that have a
// globalName, once n has its outputs, as Argo's addParamToGlobalScope and
// addArtifactToGlobalScope do: from then on
// {{workflow.outputs.parameters.NAME}} (or artifacts) resolves in whatever
// is evaluated after n (later steps, dependent tasks, the exit handler),
// and the workflow's status lists it. A name exported twice takes the
// value of the node evaluated last. vars resolve a globalName given as a
// tag.
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
			e.status.Outputs = &Outputs{}
		}
		if e.status.Outputs.Parameters == nil {
			e.status.Outputs.Parameters = map[string]string{}
		}
		e.status.Outputs.Parameters[name] = v
		e.globals[globalOutputPrefix+name] = v
	}
	e.exportGlobalArtifacts(n, t, vars)
}

// exportGlobalArtifacts exports n's output artifacts that have a
// globalName: the status lists each under that name, without the path it
// was saved from, as Argo does; the ConfigMap holding it is the node's.
func (e *evaluator) exportGlobalArtifacts(n *Node, t *wfv1.Template, vars compile.Vars) {
	for _, a := range t.Outputs.Artifacts {
		i := slices.IndexFunc(n.Outputs.Artifacts, func(s compile.StoredArtifact) bool { return s.Name == a.Name })
		if a.GlobalName == "" || i < 0 {
			continue
		}
		name, missing := vars.Resolve(a.GlobalName)
		if len(missing) > 0 {
			continue
		}
		stored := n.Outputs.Artifacts[i]
		stored.Name, stored.Path = name, ""
		if e.status.Outputs == nil {
			e.status.Outputs = &Outputs{}
		}
		list := &e.status.Outputs.Artifacts
		if j := slices.IndexFunc(*list, func(s compile.StoredArtifact) bool { return s.Name == name }); j >= 0 {
			(*list)[j] = stored
		} else {
			*list = append(*list, stored)
		}
		e.globals[globalArtifactPrefix+name] = stored.String()
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
	for _, a := range e.status.Outputs.Artifacts {
		scope[globalArtifactPrefix+a.Name] = a.String()
	}
}
