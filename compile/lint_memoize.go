package compile

import (
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintMemoize checks a template's memoize block: Argo's schema requires a
// key and a cache ConfigMap's name, without which there is nothing to
// look up. A key or maxAge Argo cannot use (see watch/memoize.go) fails
// the node when it runs, as in Argo, since tags may make it valid.
func (l *linter) lintMemoize(path string, t *wfv1.Template) {
	m := t.Memoize
	if m == nil {
		return
	}
	l.lintMemoizedArtifacts(path, t)
	path += ".memoize"
	if m.Key == "" {
		l.errorf(path, "%s: memoize needs a key", path)
	}
	at := path // the deepest part of cache.configMap.name that is given
	switch {
	case m.Cache == nil:
	case m.Cache.ConfigMap == nil:
		at += ".cache"
	case m.Cache.ConfigMap.Name == "":
		at += ".cache.configMap"
	default:
		return
	}
	l.errorf(at, "%s: memoize needs cache.configMap.name, the ConfigMap that holds the cache", at)
}

// lintMemoizedArtifacts: a cache entry holds output parameters only, so a
// hit could not give back a memoized template's output artifacts. Those
// a pod saves would besides be gone with their workflow (its ConfigMaps),
// while the entry outlives it.
func (l *linter) lintMemoizedArtifacts(path string, t *wfv1.Template) {
	taken := slices.IndexFunc(t.Outputs.Artifacts, func(a wfv1.Artifact) bool { return a.From != "" || a.FromExpression != "" })
	switch {
	case len(pathArtifacts(t)) > 0:
		l.errorf(path+".memoize", "not supported: %s.memoize: a memoized template's output artifacts would be gone with the workflow that saved them; kubectl-wf memoizes templates without output artifacts", path)
	case taken >= 0:
		l.errorf(path+".memoize", "not supported: %s.memoize: a memo hit gives back output parameters only, not output artifacts, and outputs.artifacts[%d] (%s) takes a child's; kubectl-wf memoizes steps and dag templates without output artifacts", path, taken, t.Outputs.Artifacts[taken].Name)
	}
}
