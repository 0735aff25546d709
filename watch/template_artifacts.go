package watch

import (
	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// templateArtifacts lifts a steps or dag template's output artifacts from
// its children (from, fromExpression), resolved in the final scope, as
// Argo's getTemplateOutputsFromScope: the node's outputs hold the child's
// stored artifact under the template's name for it, nothing copied. An
// optional artifact that resolves to nothing is left out; else that is
// the node's error.
func (e *evaluator) templateArtifacts(n *Node, t *wfv1.Template, scope compile.Vars) {
	for _, a := range t.Outputs.Artifacts {
		stored, missing, err := compile.ResolveStoredArtifact(a, scope)
		switch {
		case (err != nil || len(missing) > 0) && a.Optional:
			continue
		case err != nil:
			e.fail(n, Error, "unable to resolve outputs from scope: %v", err)
			return
		case len(missing) > 0:
			e.fail(n, Error, "failed to resolve {{%s}} for output artifact %q", missing[0], a.Name)
			return
		}
		stored.Name = a.Name
		if n.Outputs == nil {
			n.Outputs = &Outputs{}
		}
		n.Outputs.Artifacts = append(n.Outputs.Artifacts, stored)
	}
}
