package watch

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"
)

// objectWatch follows the one object a resource node waits on.
type objectWatch struct {
	informer cache.SharedIndexInformer
	key      string
	stop     context.CancelFunc
}

// watchObject returns the latest copy of a resource node's object, starting
// an informer on it the first time (never polling); each change wakes the
// driver. synced is false until the informer has listed the object.
func (d *driver) watchObject(ctx context.Context, node string, ri dynamic.ResourceInterface, ref *ObjectRef) (obj *unstructured.Unstructured, found, synced bool) {
	item, found, synced := d.watchOne(ctx, node, ref, &unstructured.Unstructured{}, func(selector func(*metav1.ListOptions)) cache.ListerWatcher {
		// The client says whether it can stream a list (fakes cannot).
		return cache.ToListWatcherWithWatchListSemantics(selectedListWatch(ri.List, ri.Watch, selector), d.cfg.Resources.Dynamic)
	})
	if !found {
		return nil, found, synced
	}
	return item.(*unstructured.Unstructured), true, true
}

// watchChild is watchObject for a child workflow's object.
func (d *driver) watchChild(ctx context.Context, node string, ref *ObjectRef) (obj *corev1.ConfigMap, found, synced bool) {
	cms := d.cs.CoreV1().ConfigMaps(ref.Namespace)
	item, found, synced := d.watchOne(ctx, node, ref, &corev1.ConfigMap{}, func(selector func(*metav1.ListOptions)) cache.ListerWatcher {
		return cache.ToListWatcherWithWatchListSemantics(selectedListWatch(cms.List, cms.Watch, selector), d.cs)
	})
	if !found {
		return nil, found, synced
	}
	return item.(*corev1.ConfigMap), true, true
}

func (d *driver) watchOne(ctx context.Context, node string, ref *ObjectRef, example runtime.Object, listWatch func(selector func(*metav1.ListOptions)) cache.ListerWatcher) (obj any, found, synced bool) {
	w, ok := d.objectWatches[node]
	if !ok {
		selector := fields.OneTermEqualSelector("metadata.name", ref.Name).String()
		lw := listWatch(func(o *metav1.ListOptions) { o.FieldSelector = selector })
		inf := cache.NewSharedIndexInformer(lw, example, 0, cache.Indexers{})
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { d.poke() },
			UpdateFunc: func(any, any) { d.poke() },
			DeleteFunc: func(any) { d.poke() },
		}); err != nil {
			return nil, false, false
		}
		wctx, cancel := context.WithCancel(ctx)
		key := ref.Name
		if ref.Namespace != "" {
			key = ref.Namespace + "/" + ref.Name
		}
		w = &objectWatch{informer: inf, key: key, stop: cancel}
		if d.objectWatches == nil {
			d.objectWatches = map[string]*objectWatch{}
		}
		d.objectWatches[node] = w
		go inf.RunWithContext(wctx)
	}
	if !w.informer.HasSynced() {
		return nil, false, false
	}
	item, exists, err := w.informer.GetStore().GetByKey(w.key)
	if err != nil || !exists {
		return nil, false, true
	}
	return item, true, true
}

func (d *driver) stopWatch(node string) {
	if w, ok := d.objectWatches[node]; ok {
		w.stop()
		delete(d.objectWatches, node)
	}
}
