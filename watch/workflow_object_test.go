package watch

import (
	"context"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
)

// TestWorkflowObjectReadsTheCacheOnlyWhenCurrent: the driver reads the
// workflow object from its informer's cache only when the cache holds
// the version it last read or wrote; from its own last write when the
// cache holds a version its writes replaced; otherwise (the cache behind
// a version it read, or someone else wrote since) it asks the apiserver.
func TestWorkflowObjectReadsTheCacheOnlyWhenCurrent(t *testing.T) {
	for _, tc := range []struct {
		name, cached, last string
		// written: the version its last write made; replaced: the
		// versions its writes replaced.
		written  string
		replaced []string
		wantGet  bool
		want     string // the version returned without a GET
	}{
		{name: "the cache holds what it last saw", cached: "7", last: "7", want: "7"},
		{name: "the cache is behind a version it read", cached: "6", last: "7", wantGet: true},
		{name: "the cache is behind its own write", cached: "6", last: "7", written: "7", replaced: []string{"6"}, want: "7"},
		{name: "the cache is behind its own two writes", cached: "5", last: "7", written: "7", replaced: []string{"5", "6"}, want: "7"},
		{name: "the cache caught up with the first of two writes", cached: "6", last: "7", written: "7", replaced: []string{"5", "6"}, want: "7"},
		{name: "the cache is behind a write before its own", cached: "4", last: "7", written: "7", replaced: []string{"5", "6"}, wantGet: true},
		{name: "someone else wrote since", cached: "8", last: "7", wantGet: true},
		{name: "someone else wrote since its own write", cached: "8", last: "7", written: "7", replaced: []string{"6"}, wantGet: true},
		{name: "nothing seen yet", cached: "7", last: "", wantGet: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", ResourceVersion: "9"}})
			idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
			if err := idx.Add(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", ResourceVersion: tc.cached}}); err != nil {
				t.Fatal(err)
			}
			d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}, objects: listerscorev1.NewConfigMapLister(idx), lastRV: tc.last, replaced: tc.replaced}
			if tc.written != "" {
				d.written = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", ResourceVersion: tc.written}}
			}
			obj, err := d.workflowObject(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			gets := len(cs.Actions())
			switch {
			case tc.wantGet && (gets != 1 || obj.ResourceVersion != "9" || d.lastRV != "9"):
				t.Errorf("%d GETs, object version %s, last seen %s; want the apiserver's 9", gets, obj.ResourceVersion, d.lastRV)
			case !tc.wantGet && (gets != 0 || obj.ResourceVersion != tc.want):
				t.Errorf("%d GETs, object version %s; want %s without a GET", gets, obj.ResourceVersion, tc.want)
			case tc.written != "" && !tc.wantGet && d.replaced[0] != tc.cached:
				t.Errorf("still looks for versions %v; want none before the cached %s", d.replaced, tc.cached)
			}
		})
	}
}

// TestWorkflowObjectAfterItsOwnWrites: after the driver's own status
// writes, while its cache still holds the version the first of them
// replaced, it reads the object as its last write left it, without a
// GET; once the cache shows a write by someone else, it asks the
// apiserver.
func TestWorkflowObjectAfterItsOwnWrites(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", ResourceVersion: "1"},
		Data: map[string]string{"workflow": "spec"}})
	versionedPatches(cs)
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}, objects: listerscorev1.NewConfigMapLister(idx)}
	read, err := d.workflowObject(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Add(read.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	obj, err := d.annotate(ctx, read, map[string]string{"a": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.annotate(ctx, obj, map[string]string{"b": "2"}); err != nil {
		t.Fatal(err)
	}
	cs.ClearActions()
	got, err := d.workflowObject(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cs.Actions()); n != 0 || got.Annotations["a"] != "1" || got.Annotations["b"] != "2" || got.ResourceVersion != d.lastRV {
		t.Errorf("%d requests, annotations %v, version %s (last written %s); want no request and both writes", n, got.Annotations, got.ResourceVersion, d.lastRV)
	}
	if got.Data != nil {
		t.Errorf("kept the object's data %v; want it slim, as the cache keeps it", got.Data)
	}
	got.Annotations["a"] = "changed" // a caller's copy: not what is kept
	if again, _ := d.workflowObject(ctx); again.Annotations["a"] != "1" {
		t.Errorf("a caller's change reached the kept object: %v", again.Annotations)
	}

	someoneElse, err := cs.CoreV1().ConfigMaps("ns").Patch(ctx, "wf", types.MergePatchType, []byte(`{"metadata":{"annotations":{"c":"3"}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Update(someoneElse.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	cs.ClearActions()
	if got, err = d.workflowObject(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(cs.Actions()); n != 1 || got.Annotations["c"] != "3" {
		t.Errorf("%d requests, annotations %v; want a GET showing the other write", n, got.Annotations)
	}
}

// versionedPatches makes a fake clientset give each patched ConfigMap a
// new resourceVersion, as the apiserver does (the fake keeps what the
// patch says).
func versionedPatches(cs *fake.Clientset) {
	version := 1
	cs.PrependReactor("patch", "configmaps", func(action clienttesting.Action) (bool, runtime.Object, error) {
		_, obj, err := clienttesting.ObjectReaction(cs.Tracker())(action)
		if err != nil {
			return true, nil, err
		}
		cm := obj.(*corev1.ConfigMap)
		version++
		cm.ResourceVersion = strconv.Itoa(version)
		return true, cm, cs.Tracker().Update(corev1.SchemeGroupVersion.WithResource("configmaps"), cm, cm.Namespace)
	})
}
