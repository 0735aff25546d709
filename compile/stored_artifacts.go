package compile

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// StoredArtifact is an output artifact as the driver keeps it: its files
// as keys of a ConfigMap in the workflow's namespace. kubectl-wf has no
// artifact repository to configure; the cluster is the repository, for
// artifacts that fit in a ConfigMap (docs/compat.md).
type StoredArtifact struct {
	Name string `json:"name"`
	// Path is where the producing container left it.
	Path      string `json:"path,omitempty"`
	ConfigMap string `json:"configMap"`
	// Dir: a directory, whose Files are relative to it; else one file.
	Dir   bool         `json:"dir,omitempty"`
	Files []StoredFile `json:"files,omitempty"`
	// Key is the key of a key-only output artifact (artifact_keys.go).
	Key string `json:"key,omitempty"`
	// Deleted: artifactGC deleted its files once the workflow ended, as
	// Argo's status says it (set by watch.Read only).
	Deleted bool `json:"deleted,omitempty"`
}

// StoredFile is one file of a StoredArtifact: the ConfigMap key holding
// its bytes, its path in the artifact ("" for a file artifact), its mode.
type StoredFile struct {
	Key  string `json:"key"`
	Path string `json:"path,omitempty"`
	Mode int32  `json:"mode"`
	// ConfigMap holds the file when not the artifact's: a directory a key
	// names may gather files several nodes saved.
	ConfigMap string `json:"configMap,omitempty"`
}

// ParseStoredArtifact reads what {{steps.X.outputs.artifacts.Y}} resolves
// to; ok is false for anything else.
func ParseStoredArtifact(s string) (a StoredArtifact, ok bool) {
	if !strings.HasPrefix(s, "{") {
		return a, false
	}
	if err := json.Unmarshal([]byte(s), &a); err != nil || a.ConfigMap == "" {
		return a, false
	}
	return a, true
}

// String is the artifact as variables hold it.
func (a StoredArtifact) String() string {
	b, _ := json.Marshal(a)
	return string(b)
}

// Sub is the part of a at subPath, as an input's subPath selects it: a
// file of the directory, or a directory within it.
func (a StoredArtifact) Sub(subPath string) (StoredArtifact, error) {
	sub := strings.Trim(path.Clean("/"+subPath), "/")
	if sub == "" {
		return a, nil
	}
	if !a.Dir {
		return a, fmt.Errorf("subPath %q: artifact %q is a file, not a directory", subPath, a.Name)
	}
	out := a
	out.Files = nil
	for _, f := range a.Files {
		switch {
		case f.Path == sub:
			f.Path = ""
			out.Dir, out.Files = false, []StoredFile{f}
			return out, nil
		case strings.HasPrefix(f.Path, sub+"/"):
			f.Path = strings.TrimPrefix(f.Path, sub+"/")
			out.Files = append(out.Files, f)
		}
	}
	if len(out.Files) == 0 {
		return a, fmt.Errorf("subPath %q: no such file or directory in artifact %q", subPath, a.Name)
	}
	return out, nil
}

// storedArtifactPlacement places a stored artifact at path for the main
// container: a ConfigMap volume projecting its files (one for each
// ConfigMap they are in, named by volumeName), each mounted with subPath
// at its place. A directory's files are mounted one by one, not the
// volume whole: the kubelet keeps a volume's files behind symbolic links
// to a hidden folder, which `find` and `cp -r` would show, where a
// subPath mount is the file itself in a plain directory.
func storedArtifactPlacement(volumeName func() string, a StoredArtifact, at string) ([]corev1.Volume, []corev1.VolumeMount) {
	var volumes []corev1.Volume
	byConfigMap := map[string]int{} // index in volumes
	mounts := make([]corev1.VolumeMount, 0, len(a.Files))
	for _, f := range a.Files {
		cm := cmp.Or(f.ConfigMap, a.ConfigMap)
		i, ok := byConfigMap[cm]
		if !ok {
			i = len(volumes)
			byConfigMap[cm] = i
			volumes = append(volumes, corev1.Volume{Name: volumeName(), VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: cm},
			}}})
		}
		p, mountAt := f.Path, path.Join(at, f.Path)
		if !a.Dir {
			p, mountAt = storedFileName, at
		}
		source := volumes[i].ConfigMap
		source.Items = append(source.Items, corev1.KeyToPath{Key: f.Key, Path: p, Mode: ptr.To(f.Mode)})
		mounts = append(mounts, corev1.VolumeMount{Name: volumes[i].Name, MountPath: mountAt, SubPath: p, ReadOnly: true})
	}
	return volumes, mounts
}

// storedFileName is a file artifact's one item in its volume.
const storedFileName = "file"

// storedArtifactVar is the variable under which inputArtifactVars passes
// the stored artifact an argument's from resolved to (see
// suppliedArtifact).
func storedArtifactVar(name string) string { return "\x00inputs.artifacts.stored." + name }

// inputStoredArtifact resolves an artifact argument's from or
// fromExpression in the caller's scope, to the stored artifact it names,
// less its subPath, or to the raw data of an input artifact its caller
// passes on (see forwardableInputs).
func inputStoredArtifact(arg wfv1.Artifact, scope Vars) (string, *string, []string, error) {
	src, missing, err := artifactSource(arg, scope)
	if err != nil || len(missing) > 0 {
		return "", nil, missing, err
	}
	if data, ok := parseForwardedRaw(src); ok {
		if arg.SubPath != "" {
			return "", nil, nil, fmt.Errorf("subPath %q: artifact %q is raw data, a file, not a directory", arg.SubPath, arg.Name)
		}
		return "", &data, nil, nil
	}
	a, missing, err := storedArtifactAt(arg, src, scope)
	if err != nil || len(missing) > 0 {
		return "", nil, missing, err
	}
	return a.String(), nil, nil, nil
}

// ResolveStoredArtifact is the stored artifact that a's from or
// fromExpression names in scope, less a's subPath, as Argo's
// resolveArtifact: a step's or task's argument, or a steps or dag
// template's output. missing lists the variables from names that scope
// lacks. An expression sees outputs as {{=…}} does; only the branch of a
// ternary it takes is evaluated, so the other may name a skipped step.
func ResolveStoredArtifact(a wfv1.Artifact, scope Vars) (StoredArtifact, []string, error) {
	src, missing, err := artifactSource(a, scope)
	if err != nil || len(missing) > 0 {
		return StoredArtifact{}, missing, err
	}
	return storedArtifactAt(a, src, scope)
}

// artifactSource is what a's fromExpression gives, or its from resolves
// to, in scope.
func artifactSource(a wfv1.Artifact, scope Vars) (string, []string, error) {
	if a.FromExpression == "" {
		from, missing := scope.Resolve(a.From)
		return from, missing, nil
	}
	v, err := scope.Eval(a.FromExpression)
	if errors.As(err, &nilResultError{}) {
		return "", nil, fmt.Errorf("artifact %q: fromExpression %q gives nothing: a skipped or omitted step's or task's artifact, or one that does not exist", a.Name, a.FromExpression)
	}
	if err != nil {
		return "", nil, fmt.Errorf("artifact %q: fromExpression %q: %v", a.Name, a.FromExpression, err)
	}
	return v, nil, nil
}

// storedArtifactAt is the stored artifact src (a's source, resolved)
// holds, less a's subPath.
func storedArtifactAt(a wfv1.Artifact, src string, scope Vars) (StoredArtifact, []string, error) {
	stored, ok := ParseStoredArtifact(src)
	switch {
	case !ok && a.FromExpression != "":
		return stored, nil, fmt.Errorf("artifact %q: fromExpression %q names no output artifact", a.Name, a.FromExpression)
	case !ok:
		return stored, nil, fmt.Errorf("artifact %q: from %q names no output artifact", a.Name, a.From)
	case a.SubPath == "":
		return stored, nil, nil
	}
	sub, missing := scope.Resolve(a.SubPath)
	if len(missing) > 0 {
		return stored, missing, nil
	}
	stored, err := stored.Sub(sub)
	return stored, nil, err
}
