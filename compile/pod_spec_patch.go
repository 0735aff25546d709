package compile

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	sigsyaml "sigs.k8s.io/yaml"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// unresolvedError names the tags of spec.podSpecPatch that have no value
// yet: the planner defers the node, as for a tag in the template.
type unresolvedError struct {
	names []string
}

func (e *unresolvedError) Error() string {
	return fmt.Sprintf("spec.podSpecPatch: failed to resolve {{%s}}", e.names[0])
}

// patchPodSpec applies the workflow's podSpecPatch, then the template's
// (already resolved with the rest of the instantiated template).
func (w *Workflow) patchPodSpec(pod *corev1.PodSpec, nodeName string, tmpl *wfv1.Template) (*corev1.PodSpec, error) {
	wfPatch, err := w.workflowPodSpecPatch(nodeName, tmpl)
	if err != nil {
		return nil, err
	}
	for _, patch := range []string{wfPatch, tmpl.PodSpecPatch} {
		if patch == "" {
			continue
		}
		if pod, err = applyPodSpecPatch(pod, patch); err != nil {
			return nil, err
		}
	}
	return pod, nil
}

// workflowPodSpecPatch resolves spec.podSpecPatch for one pod before it is
// parsed (a tag is not a quantity), as Argo does: with the workflow's
// variables and the instantiated template's inputs.
func (w *Workflow) workflowPodSpecPatch(nodeName string, tmpl *wfv1.Template) (string, error) {
	patch := w.Spec.PodSpecPatch
	if !strings.Contains(patch, "{{") {
		return patch, nil
	}
	vars := w.GlobalVars()
	for _, p := range tmpl.Inputs.Parameters {
		if p.Value != nil {
			vars["inputs.parameters."+p.Name] = p.Value.String()
		}
	}
	vars["inputs.parameters"] = ParametersJSON(tmpl.Inputs.Parameters)
	vars["node.name"] = nodeName
	out, missing := vars.Resolve(patch)
	if len(missing) > 0 {
		return "", &unresolvedError{names: missing}
	}
	return out, nil
}

// applyPodSpecPatch applies a podSpecPatch (YAML or JSON) as a strategic
// merge patch, as Argo does; containers merge by name, so `main` is the
// template's container.
func applyPodSpecPatch(pod *corev1.PodSpec, patch string) (*corev1.PodSpec, error) {
	patchJSON, err := sigsyaml.YAMLToJSON([]byte(patch))
	if err != nil {
		return nil, fmt.Errorf("podSpecPatch is not YAML or JSON: %w", err)
	}
	original, err := json.Marshal(pod)
	if err != nil {
		return nil, err
	}
	merged, err := strategicpatch.StrategicMergePatch(original, patchJSON, corev1.PodSpec{})
	if err != nil {
		return nil, fmt.Errorf("podSpecPatch: %w", err)
	}
	var out corev1.PodSpec
	if err := json.Unmarshal(merged, &out); err != nil {
		return nil, fmt.Errorf("podSpecPatch: %w", err)
	}
	return &out, nil
}
