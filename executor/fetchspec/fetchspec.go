// Package fetchspec is the contract between the compiler, which writes the
// list of http input artifacts a pod fetches, and the executor's fetch,
// which reads it. It imports nothing, so that neither side pulls in the
// other.
package fetchspec

// Env holds the JSON list of Specs that `kubectl-wf-executor fetch`
// downloads.
const Env = "KUBECTL_WF_FETCH"

// Spec is one input artifact fetched with an HTTP GET, as Argo's http
// artifact driver fetches it. Credentials come from the environment
// variables named here (set from Secrets), never from the list.
type Spec struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Headers []Header `json:"headers,omitempty"`
	// UsernameEnv and PasswordEnv name the variables holding basic auth's
	// credentials; Argo sends them only when both are set.
	UsernameEnv string `json:"usernameEnv,omitempty"`
	PasswordEnv string `json:"passwordEnv,omitempty"`
	// Archive is "none", "tar" or "zip", as the artifact's archive says;
	// empty: a gzip'd tarball is detected and unpacked, as Argo does.
	Archive     string `json:"archive,omitempty"`
	Mode        *int32 `json:"mode,omitempty"`
	RecurseMode bool   `json:"recurseMode,omitempty"`
	Optional    bool   `json:"optional,omitempty"`
}

// Header is a request header.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
