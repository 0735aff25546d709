package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// The driver's side of memoize (eval_memoize.go): it reads the cache
// ConfigMaps the evaluation names, records each decision on the workflow
// object before the next evaluation acts on it, and saves the outputs of
// nodes that ran. The cache is Argo's: a ConfigMap labelled
// workflows.argoproj.io/configmap-type=Cache, one entry per key, so that
// Argo and kubectl-wf workflows can share it.

const (
	labelConfigMapType = "workflows.argoproj.io/configmap-type"
	configMapTypeCache = "Cache"
)

// cacheEntry is one key's entry, as Argo writes it.
type cacheEntry struct {
	NodeID            string        `json:"nodeID"`
	Outputs           *wfv1.Outputs `json:"outputs"`
	CreationTimestamp metav1.Time   `json:"creationTimestamp"`
	LastHitTimestamp  metav1.Time   `json:"lastHitTimestamp"`
}

// usesMemoize reports whether any template of w is memoized.
func usesMemoize(w *compile.Workflow) bool {
	for _, t := range w.Spec.Templates {
		if t.Memoize != nil {
			return true
		}
	}
	return false
}

// cacheError says why a ConfigMap may not be used as a cache, in Argo's
// words, or is nil: Argo touches only ConfigMaps labelled as caches.
func cacheError(cm *corev1.ConfigMap) error {
	switch v, ok := cm.Labels[labelConfigMapType]; {
	case !ok:
		return fmt.Errorf("memoization configmap doesn't have %s label, refusing to use it", labelConfigMapType)
	case v != configMapTypeCache:
		return fmt.Errorf("memoization configmap doesn't have label %s = %s, refusing to use it", labelConfigMapType, configMapTypeCache)
	}
	return nil
}

// decideMemo decides a lookup from the cache ConfigMap as it is now (nil
// when it does not exist), as Argo's Load and maxAge check do.
func decideMemo(l MemoLookup, cm *corev1.ConfigMap, now time.Time) MemoState {
	st := MemoState{Key: l.Key, Cache: l.Cache, DecidedAt: now.UTC().Truncate(time.Second)}
	if cm == nil {
		return st
	}
	if err := cacheError(cm); err != nil {
		st.Error = err.Error()
		return st
	}
	raw := cm.Data[l.Key]
	if raw == "" {
		return st
	}
	var entry cacheEntry
	if err := json.Unmarshal([]byte(raw), &entry); err != nil {
		st.Error = fmt.Sprintf("malformed cache entry: could not unmarshal JSON; unable to parse: %v", err)
		return st
	}
	if entry.NodeID == "" || (l.MaxAge != nil && now.Sub(entry.CreationTimestamp.Time) > *l.MaxAge) {
		return st // no entry, or an expired one
	}
	st.Hit, st.Outputs = true, nodeOutputs(entry.Outputs)
	return st
}

// decideMemos decides the lookups asked for, records the decisions (with
// those in memos, which it updates), then marks the entries hit.
func (d *driver) decideMemos(ctx context.Context, obj *corev1.ConfigMap, memos map[string]MemoState, lookups []MemoLookup, now time.Time) (*corev1.ConfigMap, error) {
	if len(lookups) == 0 {
		return obj, nil
	}
	type read struct {
		cm  *corev1.ConfigMap
		err error
	}
	caches := map[string]read{}
	for _, l := range lookups {
		r, done := caches[l.Cache]
		if !done {
			r.cm, r.err = d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Get(ctx, l.Cache, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(r.err):
				r = read{}
			case r.err != nil && (ctx.Err() != nil || transient(r.err)):
				return obj, fmt.Errorf("memoization cache %s: %w", l.Cache, r.err)
			case r.err != nil:
				r.cm = nil
			}
			caches[l.Cache] = r
		}
		st := decideMemo(l, r.cm, now)
		if r.err != nil {
			st.Error = r.err.Error() // the API's verdict (forbidden, say) errs the node, as in Argo
		}
		memos[l.Node] = st
	}
	obj, err := d.annotate(ctx, obj, map[string]string{AnnotationMemos: mustJSON(memos)})
	if err != nil {
		return obj, err
	}
	for _, l := range lookups {
		if memos[l.Node].Hit {
			// Bookkeeping only (Argo's cache GC reads it): a failure
			// changes no decision.
			_ = d.touchCacheEntry(ctx, l.Cache, l.Key, now)
		}
	}
	d.poke() // the decided nodes go on at the next evaluation
	return obj, nil
}

// touchCacheEntry sets an entry's lastHitTimestamp, as Argo's Load does.
func (d *driver) touchCacheEntry(ctx context.Context, cache, key string, now time.Time) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cm, err := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Get(ctx, cache, metav1.GetOptions{})
		if err != nil {
			return err
		}
		var entry cacheEntry
		if err := json.Unmarshal([]byte(cm.Data[key]), &entry); err != nil {
			return err
		}
		entry.LastHitTimestamp = metav1.NewTime(now)
		return d.patchCacheEntry(ctx, cm, key, entry)
	})
}

// patchCacheEntry writes one entry of a cache ConfigMap, and its label,
// if the ConfigMap is still the version read (else a conflict): the other
// keys, which other workflows write, are left as they are.
func (d *driver) patchCacheEntry(ctx context.Context, cm *corev1.ConfigMap, key string, entry cacheEntry) error {
	patch := map[string]any{
		"metadata": map[string]any{"resourceVersion": cm.ResourceVersion, "labels": map[string]string{labelConfigMapType: configMapTypeCache}},
		"data":     map[string]string{key: mustJSON(entry)},
	}
	_, err := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Patch(ctx, cm.Name, types.MergePatchType, []byte(mustJSON(patch)), metav1.PatchOptions{FieldManager: FieldManager})
	return err
}

// saveMemos saves the outputs of memoized nodes that succeeded, then
// records (with memos, which it updates) that they were saved, or why
// they could not be.
func (d *driver) saveMemos(ctx context.Context, obj *corev1.ConfigMap, memos map[string]MemoState, saves []MemoSave, now time.Time) (*corev1.ConfigMap, error) {
	if len(saves) == 0 {
		return obj, nil
	}
	for _, s := range saves {
		st := memos[s.Node]
		switch err := d.saveMemo(ctx, s, now); {
		case err == nil:
			st.Saved = true
		case ctx.Err() != nil || transient(err) || apierrors.IsConflict(err) || errors.Is(err, errCacheCreated):
			return obj, err // tried again at the next reconcile
		default:
			st.SaveError = err.Error()
		}
		memos[s.Node] = st
	}
	obj, err := d.annotate(ctx, obj, map[string]string{AnnotationMemos: mustJSON(memos)})
	if err == nil {
		d.poke()
	}
	return obj, err
}

// errCacheCreated: another writer created the cache first; read it again.
var errCacheCreated = errors.New("cache created meanwhile")

// saveMemo writes a node's entry, creating the cache if it is missing. An
// entry of the node made since its lookup is this save's own, made before
// a crash: it is not written again.
func (d *driver) saveMemo(ctx context.Context, s MemoSave, now time.Time) error {
	cms := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace)
	entry := cacheEntry{NodeID: s.Node, Outputs: s.Outputs, CreationTimestamp: metav1.NewTime(now), LastHitTimestamp: metav1.NewTime(now)}
	again := func(err error) bool { return apierrors.IsConflict(err) || errors.Is(err, errCacheCreated) }
	err := retry.OnError(retry.DefaultRetry, again, func() error {
		cm, err := cms.Get(ctx, s.Cache, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			_, err = cms.Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: s.Cache, Labels: map[string]string{labelConfigMapType: configMapTypeCache}},
				Data:       map[string]string{s.Key: mustJSON(entry)},
			}, metav1.CreateOptions{FieldManager: FieldManager})
			if apierrors.IsAlreadyExists(err) {
				return errCacheCreated
			}
			return err
		}
		if err != nil {
			return err
		}
		if err := cacheError(cm); err != nil {
			return err
		}
		var old cacheEntry
		if json.Unmarshal([]byte(cm.Data[s.Key]), &old) == nil && old.NodeID == s.Node && !old.CreationTimestamp.Time.Before(s.DecidedAt) {
			return nil
		}
		return d.patchCacheEntry(ctx, cm, s.Key, entry)
	})
	if err != nil && !transient(err) && !again(err) && ctx.Err() == nil {
		return fmt.Errorf("error creating cache entry: %w", err)
	}
	return err
}
