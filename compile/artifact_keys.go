package compile

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Key-only artifacts (an s3 location with a key alone) name, in Argo, an
// object of the configured artifact repository. kubectl-wf has none: the
// "repository" of a workflow is its own artifacts ConfigMaps, so a key
// names an output artifact the same workflow saved with that key, never
// another workflow's (docs/compat.md).
//
// A file artifact saved at key K is the object K; a directory saved at K
// is its files, each at K/PATH, as Argo saves a directory that is not
// archived. An input's key K names the file at K, or else the directory
// of every file under K/, whichever artifacts they came from, as Argo's
// s3 driver loads a key: the object first, then the prefix.

// AnnotationArtifactKeys is, on a Job whose pod saves key-only output
// artifacts, their resolved keys by artifact name (a JSON object): the
// driver records each with the artifact it keeps.
const AnnotationArtifactKeys = Domain + "/artifact-keys"

// ArtifactFinder finds what a key-only input artifact's key names among
// the artifacts the workflow saved.
type ArtifactFinder interface {
	// FindKey returns the artifact at key, named name; ok is false when
	// no saved file is at key or under it.
	FindKey(name, key string) (a StoredArtifact, ok bool)
}

// ArtifactKeys indexes saved artifacts by key: every file by its own key.
type ArtifactKeys struct {
	files map[string]keyedFile
	// keys are files' keys, sorted, to find those under a prefix.
	keys []string
}

type keyedFile struct {
	configMap string
	file      StoredFile
}

// NewArtifactKeys indexes the artifacts that have a key, in the order
// they were saved: a later one replaces a file an earlier one saved at
// the same key, as a later upload replaces an object.
func NewArtifactKeys(arts []StoredArtifact) *ArtifactKeys {
	k := &ArtifactKeys{files: map[string]keyedFile{}}
	for _, a := range arts {
		if a.Key == "" {
			continue
		}
		base := cleanKey(a.Key)
		for _, f := range a.Files {
			key := base
			if a.Dir {
				key = cleanKey(base + "/" + f.Path)
			}
			cm := cmp.Or(f.ConfigMap, a.ConfigMap)
			f.ConfigMap, f.Path = "", ""
			k.files[key] = keyedFile{configMap: cm, file: f}
		}
	}
	k.keys = make([]string, 0, len(k.files))
	for key := range k.files {
		k.keys = append(k.keys, key)
	}
	slices.Sort(k.keys)
	return k
}

// FindKey implements ArtifactFinder.
func (k *ArtifactKeys) FindKey(name, key string) (StoredArtifact, bool) {
	key = cleanKey(key)
	if f, ok := k.files[key]; ok && key != "" {
		return StoredArtifact{Name: name, ConfigMap: f.configMap, Files: []StoredFile{f.file}}, true
	}
	prefix := key + "/"
	if key == "" {
		prefix = ""
	}
	a := StoredArtifact{Name: name, Dir: true}
	i, _ := slices.BinarySearch(k.keys, prefix)
	for _, fk := range k.keys[i:] {
		if !strings.HasPrefix(fk, prefix) {
			break
		}
		f := k.files[fk]
		if a.ConfigMap == "" {
			a.ConfigMap = f.configMap
		}
		file := f.file
		file.Path = strings.TrimPrefix(fk, prefix)
		if f.configMap != a.ConfigMap {
			file.ConfigMap = f.configMap
		}
		a.Files = append(a.Files, file)
	}
	return a, len(a.Files) > 0
}

// cleanKey is a key as kubectl-wf compares keys: without '.' or '..'
// parts, doubled slashes, or slashes at either end (a directory's key is
// often written with a trailing one).
func cleanKey(key string) string {
	return strings.Trim(path.Clean("/"+key), "/")
}

// keyedInputArtifact resolves the key of an input artifact given as a
// key-only location (the argument's or, with none, the input's own) to
// what it names, less its subPath: the stored artifact's JSON, or "" for
// an optional input that names nothing.
func keyedInputArtifact(in wfv1.Artifact, src wfv1.Artifact, key string, finder ArtifactFinder) (string, error) {
	a, ok := finder.FindKey(in.Name, key)
	if !ok {
		if in.Optional || src.Optional {
			return "", nil
		}
		return "", fmt.Errorf("artifact %s failed to load: no key found of name %s", in.Name, key)
	}
	if src.SubPath != "" {
		sub, err := a.Sub(src.SubPath)
		if err != nil {
			return "", err
		}
		a = sub
	}
	return a.String(), nil
}

// keyedInputVars resolves t's key-only input artifacts, as
// inputArtifactVars resolves the others: an argument's key in the
// caller's scope; an input's own key, when no argument names the input,
// with the workflow's variables and t's input parameters (inputs), as
// Argo substitutes a template with its inputs. finder is nil when keys
// are not known yet (a plan): the artifacts are then missing. It stops at
// the first key that names nothing usable (a *KeyedInputError).
func keyedInputVars(t *wfv1.Template, args []wfv1.Artifact, scope, inputs Vars, finder ArtifactFinder, vars Vars) (missing []string, err error) {
	var own Vars
	for _, in := range t.Inputs.Artifacts {
		src := in
		key, m := "", []string(nil)
		if i := slices.IndexFunc(args, func(a wfv1.Artifact) bool { return a.Name == in.Name }); i >= 0 {
			if args[i].S3 == nil || args[i].Raw != nil || args[i].From != "" {
				continue
			}
			src = args[i]
			key, m = scope.Resolve(src.S3.Key)
		} else {
			if in.S3 == nil || in.Raw != nil {
				continue
			}
			if own == nil {
				own = workflowVars(scope).With(inputs)
			}
			key, m = own.Resolve(in.S3.Key)
		}
		switch {
		case len(m) > 0:
			missing = append(missing, m...)
		case finder == nil:
			missing = append(missing, "inputs.artifacts."+in.Name)
		default:
			stored, err := keyedInputArtifact(in, src, key, finder)
			switch {
			case err != nil:
				return missing, &KeyedInputError{Err: err}
			case stored != "":
				vars[storedArtifactVar(in.Name)] = stored
			}
		}
	}
	return missing, nil
}

// KeyedInputError is why a key-only input's key names nothing it can
// use (nothing saved at or under it, or no subPath there). Unlike other
// input errors it depends on what the whole workflow has saved so far,
// not on the node's caller alone: a driver records it, so that a key
// saved later changes nothing.
type KeyedInputError struct{ Err error }

func (e *KeyedInputError) Error() string { return e.Err.Error() }
func (e *KeyedInputError) Unwrap() error { return e.Err }

// workflowVars are the workflow.* variables of scope.
func workflowVars(scope Vars) Vars {
	out := Vars{}
	for k, v := range scope {
		if strings.HasPrefix(k, "workflow.") {
			out[k] = v
		}
	}
	return out
}

// outputArtifactKeys is the value of AnnotationArtifactKeys for tmpl, an
// instantiated template (its keys resolved): "" when no artifact it
// saves has a key.
func outputArtifactKeys(tmpl *wfv1.Template) string {
	keys := map[string]string{}
	for _, a := range tmpl.Outputs.Artifacts {
		if a.Path != "" && a.S3 != nil && a.S3.Key != "" {
			keys[a.Name] = a.S3.Key
		}
	}
	if len(keys) == 0 {
		return ""
	}
	b, _ := json.Marshal(keys)
	return string(b)
}

// ParseArtifactKeys reads AnnotationArtifactKeys; nil when there is none
// or it is not one kubectl-wf wrote.
func ParseArtifactKeys(annotation string) map[string]string {
	if annotation == "" {
		return nil
	}
	var keys map[string]string
	if json.Unmarshal([]byte(annotation), &keys) != nil {
		return nil
	}
	return keys
}
