package cli

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

// waitForChange blocks until the workflow object changes (its driver
// writes progress there on every node change), or a Lease period passes,
// so that a follower notices a driver that died.
func waitForChange(ctx context.Context, cs kubernetes.Interface, namespace, name string) error {
	ctx, cancel := context.WithTimeout(ctx, watch.LeaseDuration)
	defer cancel()
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = selector
			return cs.CoreV1().ConfigMaps(namespace).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (apiwatch.Interface, error) {
			o.FieldSelector = selector
			return cs.CoreV1().ConfigMaps(namespace).Watch(ctx, o)
		},
	}
	first := ""
	_, err := watchtools.UntilWithSync(ctx, cache.ToListWatcherWithWatchListSemantics(lw, cs), &corev1.ConfigMap{}, nil,
		func(ev apiwatch.Event) (bool, error) {
			cm, ok := ev.Object.(*corev1.ConfigMap)
			if !ok || cm.Name != name {
				return false, nil
			}
			if first == "" {
				first = cm.ResourceVersion
				return false, nil
			}
			return cm.ResourceVersion != first, nil
		})
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, watchtools.ErrWatchClosed) || (err != nil && ctx.Err() != nil) {
		return nil
	}
	return err
}
