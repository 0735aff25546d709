package compile

import (
	"fmt"
	"slices"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// checkGlobalOutput checks {{workflow.outputs.parameters.NAME}} and
// {{workflow.outputs.artifacts.NAME}}: as Argo's validator, NAME must be
// the globalName of some template's output parameter (or artifact). A
// workflow that copies templates in (templateRef, workflowTemplateRef) or
// names one by a tag may export any.
func (s *scope) checkGlobalOutput(ref, kind, name string) string {
	if (kind != "parameters" && kind != "artifacts") || name == "" {
		return fmt.Sprintf("%s: unknown workflow variable; global outputs are {{workflow.outputs.parameters.NAME}} and {{workflow.outputs.artifacts.NAME}}", ref)
	}
	spec := &s.l.doc.Spec
	if spec.WorkflowTemplateRef != nil || s.l.doc.Kind != wfv1.KindWorkflow {
		return ""
	}
	for i := range spec.Templates {
		if exportsGlobal(&spec.Templates[i], kind, name) || hasTemplateRefs(spec.Templates[i:i+1]) {
			return ""
		}
	}
	what := map[string]string{"parameters": "an output parameter's", "artifacts": "an output artifact's"}[kind]
	return fmt.Sprintf("%s: no template exports a global output %q (%s globalName)", ref, name, what)
}

// exportsGlobal reports whether t exports name as a global output of kind
// (parameters or artifacts), or may, by a globalName given as a tag.
func exportsGlobal(t *wfv1.Template, kind, name string) bool {
	matches := func(globalName string) bool { return globalName == name || strings.Contains(globalName, "{{") }
	if kind == "artifacts" {
		return slices.ContainsFunc(t.Outputs.Artifacts, func(a wfv1.Artifact) bool { return matches(a.GlobalName) })
	}
	return slices.ContainsFunc(t.Outputs.Parameters, func(p wfv1.Parameter) bool { return matches(p.GlobalName) })
}
