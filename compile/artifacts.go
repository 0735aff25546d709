package compile

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Raw input artifacts are the only artifacts kubectl-wf places: their data
// is in the workflow, so they need no artifact repository. A pod's raw
// artifacts are keys of its node's ConfigMap (the one a script's source is
// in), each mounted as one file at the artifact's path.
const (
	// ArtifactsVolumeName is the pod volume holding a node's raw artifacts.
	ArtifactsVolumeName = "kubectl-wf-artifacts"
	// artifactKeyPrefix starts each artifact's key in the ConfigMap;
	// artifact names are letters, digits, '-' and '_', so the keys are
	// valid and never the script's.
	artifactKeyPrefix = "artifact-"
)

// ArtifactKey is the ConfigMap key holding the data of raw artifact name.
func ArtifactKey(name string) string { return artifactKeyPrefix + name }

// suppliedArtifact is the variable under which InputVars passes the data
// of a raw artifact given by the caller's arguments to Instantiate. No
// tag can name it: no text a user can write contains a NUL.
func suppliedArtifact(name string) string { return "\x00inputs.artifacts." + name }

// inputArtifactVars resolves t's input artifacts from the caller's
// artifact arguments, as Argo's ProcessArgs does: an argument of the same
// name replaces the input's own source, keeping the input's path and
// mode; its raw data is resolved in the caller's scope. An input with no
// source that is not optional is missing. It stops at the first input
// that cannot be resolved at all (err).
func inputArtifactVars(t *wfv1.Template, args []wfv1.Artifact, scope Vars, vars Vars) (missing []string, err error) {
	for _, in := range t.Inputs.Artifacts {
		i := slices.IndexFunc(args, func(a wfv1.Artifact) bool { return a.Name == in.Name })
		switch {
		case i >= 0 && args[i].Raw != nil:
			data, m := scope.Resolve(args[i].Raw.Data)
			missing = append(missing, m...)
			vars[suppliedArtifact(in.Name)] = data
		case i >= 0 && args[i].HTTP != nil:
			h, m := resolveHTTPArtifact(args[i].HTTP, scope)
			missing = append(missing, m...)
			vars[httpArtifactVar(in.Name)] = encodeHTTPArtifact(h)
		case i >= 0 && (in.Optional || args[i].Optional) && scope.AbsentRef(args[i].From):
			// A skipped step's or task's artifact, passed to an optional
			// input: Argo omits it, so no file is placed.
		case i >= 0 && (args[i].From != "" || args[i].FromExpression != ""):
			stored, raw, m, err := inputStoredArtifact(args[i], scope)
			switch {
			case err != nil:
				return missing, err
			case len(m) > 0:
				missing = append(missing, m...)
			case raw != nil:
				vars[suppliedArtifact(in.Name)] = *raw
			default:
				vars[storedArtifactVar(in.Name)] = stored
			}
		case i < 0 && in.Raw == nil && in.S3 == nil && in.HTTP == nil && !in.Optional:
			missing = append(missing, "inputs.artifacts."+in.Name)
		}
	}
	return missing, nil
}

// MissingInputsError is InputVars' error when the caller's scope lacks
// what some inputs need: Names are the variables (or inputs.artifacts.NAME
// for an input artifact given no source). It is not final: a plan defers
// the node until they are known.
type MissingInputsError struct{ Names []string }

// Error is Argo's words for the first name: an input artifact given no
// source, or a tag that does not resolve.
func (e *MissingInputsError) Error() string {
	if art, ok := strings.CutPrefix(e.Names[0], "inputs.artifacts."); ok {
		return "inputs.artifacts." + art + " was not supplied"
	}
	return "failed to resolve {{" + e.Names[0] + "}}"
}

// inputsError is InputVars' error when it met err (nil for none) after
// the names missing so far: the first problem is the one reported.
func inputsError(missing []string, err error) error {
	if len(missing) > 0 {
		return &MissingInputsError{Names: missing}
	}
	return err
}

// inputArtifacts returns t's input artifacts as the pod gets them, and
// vars with inputs.artifacts.NAME.path, which Argo sets for every input
// with a path. Paths resolve first, with vars (the template's variables),
// as the data may name them. Each artifact gets the raw data its caller
// supplied, or its own resolved with vars, as Argo substitutes the whole
// template. An optional artifact given no data keeps no source: no file
// is placed.
func inputArtifacts(arts []wfv1.Artifact, vars Vars) ([]wfv1.Artifact, Vars, []string) {
	if len(arts) == 0 {
		return arts, vars, nil
	}
	var missing []string
	out := slices.Clone(arts)
	paths := Vars{}
	for i := range out {
		a := &out[i]
		var m []string
		a.Path, m = vars.Resolve(a.Path)
		missing = append(missing, m...)
		if a.Path != "" {
			paths["inputs.artifacts."+a.Name+".path"] = a.Path
		}
	}
	vars = vars.With(paths)
	for i := range out {
		a := &out[i]
		if stored, ok := vars[storedArtifactVar(a.Name)]; ok {
			// The instantiated input names the stored artifact in its
			// from, which no input has in a template as written.
			a.From, a.Raw, a.S3, a.HTTP = stored, nil, nil, nil
		} else if data, ok := vars[suppliedArtifact(a.Name)]; ok {
			a.Raw, a.HTTP = &wfv1.RawArtifact{Data: data}, nil
		} else if h, ok := suppliedHTTPArtifact(vars, a.Name); ok {
			a.HTTP, a.Raw, a.S3 = h, nil, nil
		} else if a.HTTP != nil {
			var m []string
			a.HTTP, m = resolveHTTPArtifact(a.HTTP, vars)
			missing = append(missing, m...)
		} else if a.Raw != nil {
			data, m := vars.Resolve(a.Raw.Data)
			missing = append(missing, m...)
			a.Raw = &wfv1.RawArtifact{Data: data}
		}
	}
	return out, vars, missing
}

// storedArtifactMounts places tmpl's input artifacts passed from another
// node's outputs: a volume of each one's ConfigMap, mounted at its path.
func storedArtifactMounts(tmpl *wfv1.Template) ([]corev1.Volume, []corev1.VolumeMount, error) {
	var volumes []corev1.Volume
	var mounts []corev1.VolumeMount
	named := 0
	volumeName := func() string {
		named++
		return fmt.Sprintf("%s-%d", ArtifactsVolumeName, named-1)
	}
	for _, a := range tmpl.Inputs.Artifacts {
		if a.From == "" {
			continue
		}
		stored, ok := ParseStoredArtifact(a.From)
		if !ok {
			return nil, nil, fmt.Errorf("input artifact %q: from %q names no output artifact", a.Name, a.From)
		}
		if a.Path == "" {
			return nil, nil, fmt.Errorf("input artifact %q did not specify a path", a.Name)
		}
		v, m := storedArtifactPlacement(volumeName, stored, a.Path)
		volumes, mounts = append(volumes, v...), append(mounts, m...)
	}
	return volumes, mounts, nil
}

// rawArtifactMounts places tmpl's raw input artifacts: it returns their
// data by ConfigMap key, the volume that projects those keys of configMap
// (nil when there are none), and the mounts for the main container.
func rawArtifactMounts(tmpl *wfv1.Template, configMap string) (map[string]string, *corev1.Volume, []corev1.VolumeMount, error) {
	var data map[string]string
	var items []corev1.KeyToPath
	var mounts []corev1.VolumeMount
	for _, a := range tmpl.Inputs.Artifacts {
		if a.Raw == nil {
			continue // stored (storedArtifactMounts), or optional and not supplied
		}
		if tmpl.Container == nil && tmpl.Script == nil {
			return nil, nil, nil, fmt.Errorf("input artifact %q: kubectl-wf places input artifacts in container and script templates only", a.Name)
		}
		if a.Path == "" {
			return nil, nil, nil, fmt.Errorf("input artifact %q did not specify a path", a.Name)
		}
		if data == nil {
			data = map[string]string{}
		}
		key := ArtifactKey(a.Name)
		data[key] = a.Raw.Data
		// Without a mode the kubelet writes 0644, as Argo's executor
		// creates the file (0666 less the usual umask).
		items = append(items, corev1.KeyToPath{Key: key, Path: key, Mode: a.Mode})
		mounts = append(mounts, corev1.VolumeMount{Name: ArtifactsVolumeName, MountPath: a.Path, SubPath: key, ReadOnly: true})
	}
	if data == nil {
		return nil, nil, nil, nil
	}
	return data, &corev1.Volume{Name: ArtifactsVolumeName, VolumeSource: corev1.VolumeSource{
		ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMap}, Items: items},
	}}, mounts, nil
}
