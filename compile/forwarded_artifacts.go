package compile

import (
	"encoding/json"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// A steps or dag template passes its own input artifacts on to its
// children with from: "{{inputs.artifacts.NAME}}", which is the input
// as Argo's scope holds it (the Artifact). Here that is the stored
// artifact's JSON, or for raw data a forwardedRaw's.

// forwardedRaw is raw data as {{inputs.artifacts.NAME}} gives it.
type forwardedRaw struct {
	Name string            `json:"name"`
	Raw  *wfv1.RawArtifact `json:"raw"`
}

// parseForwardedRaw reads what {{inputs.artifacts.NAME}} of a raw input
// resolves to; ok is false for anything else.
func parseForwardedRaw(s string) (data string, ok bool) {
	var f forwardedRaw
	if json.Unmarshal([]byte(s), &f) != nil || f.Raw == nil {
		return "", false
	}
	return f.Raw.Data, true
}

// forwardableInputs sets in vars {{inputs.artifacts.NAME}} for each input
// artifact of t, a steps or dag template, that inputArtifactVars gave a
// source: what its children may take with from.
func forwardableInputs(t *wfv1.Template, vars Vars) {
	if len(t.Steps) == 0 && t.DAG == nil {
		return
	}
	for _, in := range t.Inputs.Artifacts {
		if stored, ok := vars[storedArtifactVar(in.Name)]; ok {
			vars["inputs.artifacts."+in.Name] = stored
			continue
		}
		raw, ok := vars[suppliedArtifact(in.Name)]
		if !ok && in.Raw == nil {
			continue // optional, and not given
		}
		if !ok {
			raw = in.Raw.Data
		}
		b, _ := json.Marshal(forwardedRaw{Name: in.Name, Raw: &wfv1.RawArtifact{Data: raw}})
		vars["inputs.artifacts."+in.Name] = string(b)
	}
}
