package compile

import (
	"fmt"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// checkGlobalOutput checks {{workflow.outputs.parameters.NAME}}: as Argo's
// validator, NAME must be the globalName of some template's output
// parameter. A workflow that copies templates in (templateRef,
// workflowTemplateRef) or names one by a tag may export any.
func (s *scope) checkGlobalOutput(ref, kind, name string) string {
	switch {
	case kind == "artifacts":
		return fmt.Sprintf("not supported: %s: artifacts are not supported yet", ref)
	case kind != "parameters" || name == "":
		return fmt.Sprintf("%s: unknown workflow variable; global outputs are {{workflow.outputs.parameters.NAME}}", ref)
	}
	spec := &s.l.doc.Spec
	if spec.WorkflowTemplateRef != nil || s.l.doc.Kind != wfv1.KindWorkflow {
		return ""
	}
	for i := range spec.Templates {
		t := &spec.Templates[i]
		for _, p := range t.Outputs.Parameters {
			if p.GlobalName == name || strings.Contains(p.GlobalName, "{{") {
				return ""
			}
		}
		if hasTemplateRefs(spec.Templates[i : i+1]) {
			return ""
		}
	}
	return fmt.Sprintf("%s: no template exports a global output %q (an output parameter's globalName)", ref, name)
}
