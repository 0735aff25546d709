package compile

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/executor/fetchspec"
)

// http input artifacts are fetched inside the pod, as Argo's init
// container fetches them: an init container running the executor's
// fetch (FetchContainerName) downloads each into an emptyDir, and main
// mounts each one's file or folder at its path. The driver never sees
// the data, so an artifact may be as large as the node's disk allows.
const (
	// FetchContainerName is the init container that fetches them.
	FetchContainerName = "kubectl-wf-fetch"
	fetchedVolumeName  = "kubectl-wf-fetched"
	fetchedDir         = "/kubectl-wf/fetched"
	// fetchSecretEnv starts the variables holding basic auth's
	// credentials, read from Secrets.
	fetchSecretEnv = "KUBECTL_WF_FETCH_"
)

// httpArtifactVar is the variable under which InputVars passes an http
// artifact given by the caller's arguments to Instantiate: its JSON,
// resolved in the caller's scope. No tag can name it: no text a user can
// write contains a NUL.
func httpArtifactVar(name string) string { return "\x00inputs.artifacts.http." + name }

// resolveHTTPArtifact is h with its URL and header values resolved.
func resolveHTTPArtifact(h *wfv1.HTTPArtifact, vars Vars) (*wfv1.HTTPArtifact, []string) {
	out := *h
	var missing []string
	out.URL, missing = vars.Resolve(h.URL)
	out.Headers = make([]wfv1.Header, len(h.Headers))
	for i, hd := range h.Headers {
		value, m := vars.Resolve(hd.Value)
		missing = append(missing, m...)
		out.Headers[i] = wfv1.Header{Name: hd.Name, Value: value}
	}
	return &out, missing
}

func encodeHTTPArtifact(h *wfv1.HTTPArtifact) string {
	data, _ := json.Marshal(h) // plain values: cannot fail
	return string(data)
}

// suppliedHTTPArtifact is the http artifact vars hold for input name, if
// its caller passed one.
func suppliedHTTPArtifact(vars Vars, name string) (*wfv1.HTTPArtifact, bool) {
	raw, ok := vars[httpArtifactVar(name)]
	if !ok {
		return nil, false
	}
	var h wfv1.HTTPArtifact
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return nil, false // written by InputVars: cannot happen
	}
	return &h, true
}

// httpArtifactPlacement is what fetches tmpl's http input artifacts: the
// init container, its volume and main's mounts; nil when there are none.
func httpArtifactPlacement(tmpl *wfv1.Template) (*corev1.Container, *corev1.Volume, []corev1.VolumeMount) {
	var specs []fetchspec.Spec
	var env []corev1.EnvVar
	var mounts []corev1.VolumeMount
	for _, a := range tmpl.Inputs.Artifacts {
		if a.HTTP == nil || a.Path == "" {
			continue
		}
		spec := fetchspec.Spec{Name: a.Name, URL: a.HTTP.URL, Archive: archiveKind(a.Archive),
			Mode: a.Mode, RecurseMode: a.RecurseMode, Optional: a.Optional}
		for _, h := range a.HTTP.Headers {
			spec.Headers = append(spec.Headers, fetchspec.Header{Name: h.Name, Value: h.Value})
		}
		if auth := a.HTTP.Auth; auth != nil && auth.BasicAuth != nil {
			i := len(specs)
			spec.UsernameEnv, spec.PasswordEnv = fmt.Sprintf("%sUSERNAME_%d", fetchSecretEnv, i), fmt.Sprintf("%sPASSWORD_%d", fetchSecretEnv, i)
			env = append(env, secretEnv(spec.UsernameEnv, auth.BasicAuth.UsernameSecret)...)
			env = append(env, secretEnv(spec.PasswordEnv, auth.BasicAuth.PasswordSecret)...)
		}
		specs = append(specs, spec)
		mounts = append(mounts, corev1.VolumeMount{Name: fetchedVolumeName, MountPath: a.Path, SubPath: a.Name})
	}
	if specs == nil {
		return nil, nil, nil
	}
	list, _ := json.Marshal(specs) // plain values: cannot fail
	fetch := &corev1.Container{
		Name:            FetchContainerName,
		Image:           ExecutorImage,
		Command:         []string{executorInImage, "fetch", fetchedDir},
		Env:             append([]corev1.EnvVar{{Name: fetchspec.Env, Value: string(list)}}, env...),
		VolumeMounts:    []corev1.VolumeMount{{Name: fetchedVolumeName, MountPath: fetchedDir}},
		SecurityContext: executorSecurityContext(),
	}
	volume := &corev1.Volume{Name: fetchedVolumeName, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	return fetch, volume, mounts
}

// secretEnv is variable name set from a Secret's key, none for no key.
func secretEnv(name string, key *corev1.SecretKeySelector) []corev1.EnvVar {
	if key == nil {
		return nil
	}
	return []corev1.EnvVar{{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: key.DeepCopy()}}}
}

// archiveKind is the executor's name for an artifact's archive: none, tar
// or zip, or "" (none given: a tarball is detected).
func archiveKind(archive *wfv1.Object) string {
	if archive == nil {
		return ""
	}
	var kinds map[string]json.RawMessage
	if json.Unmarshal(archive.Value, &kinds) != nil {
		return ""
	}
	for _, kind := range []string{"none", "tar", "zip"} {
		if _, ok := kinds[kind]; ok {
			return kind
		}
	}
	return ""
}
