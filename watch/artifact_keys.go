package watch

import (
	"cmp"
	"slices"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Key-only artifacts (compile/artifact_keys.go): the Job of a pod that
// saves some names their keys, which the driver records with the
// artifacts it keeps; an input's key is then found among the artifacts
// every ended pod of the workflow saved, all in Observed.

// setArtifactKeys gives each of stored, the artifacts job's pod saved,
// the key its Job names for it.
func setArtifactKeys(job *batchv1.Job, stored []compile.StoredArtifact) {
	keys := compile.ParseArtifactKeys(job.Annotations[compile.AnnotationArtifactKeys])
	for i := range stored {
		stored[i].Key = keys[stored[i].Name]
	}
}

// observedKeys finds keys among the artifacts of obs's Jobs, indexed on
// the first search: most evaluations have no key-only input to resolve.
type observedKeys struct {
	jobs  map[string]PodResult
	index *compile.ArtifactKeys
}

// FindKey implements compile.ArtifactFinder.
func (k *observedKeys) FindKey(name, key string) (compile.StoredArtifact, bool) {
	if k.index == nil {
		k.index = compile.NewArtifactKeys(keyedArtifacts(k.jobs))
	}
	return k.index.FindKey(name, key)
}

// keyedArtifacts are the artifacts with a key that jobs' pods saved, in
// the order the pods ended (then by Job name), so that the last saved at
// a key is the one found there.
func keyedArtifacts(jobs map[string]PodResult) []compile.StoredArtifact {
	type saved struct {
		job string
		r   PodResult
	}
	var all []saved
	for name, r := range jobs {
		if slices.ContainsFunc(r.Artifacts, func(a compile.StoredArtifact) bool { return a.Key != "" }) {
			all = append(all, saved{name, r})
		}
	}
	slices.SortFunc(all, func(a, b saved) int {
		if a.r.FinishedAt != nil && b.r.FinishedAt != nil {
			if c := a.r.FinishedAt.Compare(*b.r.FinishedAt); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.job, b.job)
	})
	var out []compile.StoredArtifact
	for _, s := range all {
		out = append(out, s.r.Artifacts...)
	}
	return out
}
