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
	switch {
	case m.Cache == nil:
		l.errorf(path, "%s: memoize needs cache.configMap.name, the ConfigMap that holds the cache", path)
	case m.Cache.ConfigMap == nil:
		l.errorf(path+".cache", "%s.cache: memoize needs cache.configMap.name, the ConfigMap that holds the cache", path)
	case m.Cache.ConfigMap.Name == "":
		l.errorf(path+".cache.configMap", "%s.cache.configMap: memoize needs cache.configMap.name, the ConfigMap that holds the cache", path)
	}
}
