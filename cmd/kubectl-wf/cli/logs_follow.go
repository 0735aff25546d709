package cli

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// follow streams the log of every pod of a workflow from the moment its
// main container starts, until the workflow has ended and every stream
// has drained. Pods and the workflow object are watched, never polled.
func (o *LogsOptions) follow(ctx context.Context, cs kubernetes.Interface, ns, name string) error {
	selector := labels.Set{compile.LabelWorkflow: name}.String()
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns),
		informers.WithTweakListOptions(func(lo *metav1.ListOptions) { lo.LabelSelector = selector }))
	pods, objects := factory.Core().V1().Pods().Informer(), factory.Core().V1().ConfigMaps().Informer()

	var mu sync.Mutex // one line at a time on Out, and started
	var streams sync.WaitGroup
	started := map[string]bool{}
	startLog := func(obj any, follow bool) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || !o.wants(pod) || !containerStarted(pod, o.Container) {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !started[pod.Name] {
			started[pod.Name] = true
			streams.Go(func() { o.copyLog(ctx, cs, pod, follow, &mu) })
		}
	}
	ended := make(chan struct{})
	var endOnce sync.Once
	onObject := func(obj any) {
		cm, ok := obj.(*corev1.ConfigMap)
		if ok && cm.Name == name && watch.Phase(cm.Annotations[watch.AnnotationPhase]).Fulfilled() {
			endOnce.Do(func() { close(ended) })
		}
	}
	onPod := func(obj any) { startLog(obj, true) }
	if _, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: onPod, UpdateFunc: func(_, p any) { onPod(p) }}); err != nil {
		return err
	}
	if _, err := objects.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: onObject, UpdateFunc: func(_, c any) { onObject(c) }}); err != nil {
		return err
	}
	informerCtx, stopInformers := context.WithCancel(ctx)
	defer factory.Shutdown() // after stopInformers: it waits for them
	defer stopInformers()
	factory.Start(informerCtx.Done())
	select {
	case <-ended:
		// The workflow object's event may come before a last pod's: read
		// what the pod cache holds now, without following.
		for _, p := range pods.GetStore().List() {
			startLog(p, false)
		}
	case <-ctx.Done():
	}
	stopInformers()
	streams.Wait()
	return ctx.Err()
}

// containerStarted reports whether a pod's container has started, so that
// its log can be read.
func containerStarted(pod *corev1.Pod, name string) bool {
	for _, c := range append(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses...) {
		if c.Name == name {
			return c.State.Running != nil || c.State.Terminated != nil
		}
	}
	return false
}
