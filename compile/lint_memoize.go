package compile

import wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"

// lintMemoize checks a template's memoize block: Argo's schema requires a
// key and a cache ConfigMap's name, without which there is nothing to
// look up. A key or maxAge Argo cannot use (see watch/memoize.go) fails
// the node when it runs, as in Argo, since tags may make it valid.
func (l *linter) lintMemoize(path string, m *wfv1.Memoize) {
	if m == nil {
		return
	}
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
