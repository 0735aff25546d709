package compile

import (
	"encoding/json"
	"maps"

	"k8s.io/apimachinery/pkg/util/strategicpatch"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// JoinWorkflowSpec merges a workflow's own spec over the spec of the
// WorkflowTemplate it references, as Argo does: a strategic merge patch
// (templates, parameters, volumes… merge by name, as the types' patch
// tags say) where the workflow's fields win; hooks and labelsFrom are
// maps that Argo does not merge key by key, only adds the template's
// missing keys; a parameter takes its value, default and valueFrom
// together from the workflow when the workflow has one of them.
func JoinWorkflowSpec(own, tmpl *wfv1.WorkflowSpec) (wfv1.WorkflowSpec, error) {
	base := *tmpl
	base.Hooks = nil
	if base.WorkflowMetadata != nil {
		wm := *base.WorkflowMetadata
		wm.LabelsFrom = nil
		base.WorkflowMetadata = &wm
	}
	original, err := json.Marshal(base)
	if err != nil {
		return wfv1.WorkflowSpec{}, err
	}
	patch, err := json.Marshal(own)
	if err != nil {
		return wfv1.WorkflowSpec{}, err
	}
	merged, err := strategicpatch.StrategicMergePatch(original, patch, wfv1.WorkflowSpec{})
	if err != nil {
		return wfv1.WorkflowSpec{}, err
	}
	var out wfv1.WorkflowSpec
	if err := json.Unmarshal(merged, &out); err != nil {
		return wfv1.WorkflowSpec{}, err
	}
	out.Hooks = addMissing(out.Hooks, tmpl.Hooks)
	if tmpl.WorkflowMetadata != nil && len(tmpl.WorkflowMetadata.LabelsFrom) > 0 {
		if out.WorkflowMetadata == nil {
			out.WorkflowMetadata = &wfv1.WorkflowMetadata{}
		}
		out.WorkflowMetadata.LabelsFrom = addMissing(out.WorkflowMetadata.LabelsFrom, tmpl.WorkflowMetadata.LabelsFrom)
	}
	// spec.suspend is the workflow's own, never the template's.
	out.Suspend = own.Suspend
	ownParams := map[string]wfv1.Parameter{}
	for _, p := range own.Arguments.Parameters {
		ownParams[p.Name] = p
	}
	tmplParams := map[string]wfv1.Parameter{}
	for _, p := range tmpl.Arguments.Parameters {
		tmplParams[p.Name] = p
	}
	for i, p := range out.Arguments.Parameters {
		if !hasValue(p) {
			continue
		}
		if q, ok := ownParams[p.Name]; ok && hasValue(q) {
			out.Arguments.Parameters[i] = q
		} else if q, ok := tmplParams[p.Name]; ok {
			out.Arguments.Parameters[i] = q
		}
	}
	return out, nil
}

func hasValue(p wfv1.Parameter) bool {
	return p.Value != nil || p.Default != nil || p.ValueFrom != nil
}

// addMissing adds to m the keys of from that m lacks.
func addMissing[V any](m, from map[string]V) map[string]V {
	if len(from) == 0 {
		return m
	}
	if m == nil {
		m = map[string]V{}
	}
	for k, v := range maps.All(from) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}
