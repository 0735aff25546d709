package watch

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// TestWorkflowObjectReadsTheCacheOnlyWhenCurrent: the driver reads the
// workflow object from its informer's cache only when the cache holds
// the version it last read or wrote; otherwise (the cache behind, or
// someone else wrote since) it asks the apiserver.
func TestWorkflowObjectReadsTheCacheOnlyWhenCurrent(t *testing.T) {
	for _, tc := range []struct {
		name, cached, last string
		wantGet            bool
	}{
		{"the cache holds what it last saw", "7", "7", false},
		{"the cache is behind its own write", "6", "7", true},
		{"someone else wrote since", "8", "7", true},
		{"nothing seen yet", "7", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", ResourceVersion: "9"}})
			idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
			if err := idx.Add(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", ResourceVersion: tc.cached}}); err != nil {
				t.Fatal(err)
			}
			d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}, objects: listerscorev1.NewConfigMapLister(idx), lastRV: tc.last}
			obj, err := d.workflowObject(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			gets := len(cs.Actions())
			switch {
			case tc.wantGet && (gets != 1 || obj.ResourceVersion != "9" || d.lastRV != "9"):
				t.Errorf("%d GETs, object version %s, last seen %s; want the apiserver's 9", gets, obj.ResourceVersion, d.lastRV)
			case !tc.wantGet && (gets != 0 || obj.ResourceVersion != tc.cached):
				t.Errorf("%d GETs, object version %s; want the cached %s without a GET", gets, obj.ResourceVersion, tc.cached)
			}
		})
	}
}
