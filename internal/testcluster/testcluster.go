// Package testcluster gives integration tests a client for the local
// single-node Kubernetes cluster that hack/cluster/up.sh (make cluster-up)
// brings up, and a fresh namespace per test.
//
// The cluster is found through the environment variable
// KUBECTL_WF_TEST_KUBECONFIG, which `make test` sets; when it is unset the
// tests that need the cluster are skipped, so `go test ./...` alone still
// runs the unit tests.
package testcluster

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	watchtools "k8s.io/client-go/tools/watch"
)

// EnvKubeconfig names the environment variable holding the absolute path of
// the local cluster's kubeconfig.
const EnvKubeconfig = "KUBECTL_WF_TEST_KUBECONFIG"

// NamespaceLabel marks the namespaces this package creates, so that leftovers
// of an interrupted run can be found: kubectl get ns -l kubectl-wf.test=true.
const NamespaceLabel = "kubectl-wf.test"

// Kubeconfig returns the path of the local cluster's kubeconfig, or skips the
// test when no cluster was provided.
func Kubeconfig(t testing.TB) string {
	t.Helper()
	path := os.Getenv(EnvKubeconfig)
	if path == "" {
		t.Skipf("%s is not set: run `make test`, which brings up the local cluster "+
			"(or `eval \"$(make -s cluster-up | tail -n1)\"; export %s=$KUBECONFIG`)",
			EnvKubeconfig, EnvKubeconfig)
	}
	return path
}

// Client returns a clientset and its rest.Config for the local cluster, or
// skips the test when no cluster was provided. It fails the test when the
// kubeconfig is set but the cluster does not answer.
func Client(t testing.TB) (kubernetes.Interface, *rest.Config) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", Kubeconfig(t))
	if err != nil {
		t.Fatalf("loading %s: %v", EnvKubeconfig, err)
	}
	// Tests create and watch many objects in a short time.
	cfg.QPS, cfg.Burst = 50, 100
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("creating client: %v", err)
	}
	if _, err := cs.Discovery().ServerVersion(); err != nil {
		t.Fatalf("the local cluster does not answer (is it up? make cluster-up): %v", err)
	}
	return cs, cfg
}

// Namespace creates a namespace for one test and deletes it when the test
// ends. It returns once the namespace's default ServiceAccount exists, since
// pods cannot be created in the namespace before.
func Namespace(t testing.TB, cs kubernetes.Interface) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "kwf-test-",
			Labels:       map[string]string{NamespaceLabel: "true"},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	name := ns.Name
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		policy := metav1.DeletePropagationBackground
		err := cs.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting namespace %s: %v", name, err)
		}
	})
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", "default").String()
			return cs.CoreV1().ServiceAccounts(name).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", "default").String()
			return cs.CoreV1().ServiceAccounts(name).Watch(ctx, o)
		},
	}
	_, err = watchtools.UntilWithSync(ctx, lw, &corev1.ServiceAccount{}, nil,
		func(e watch.Event) (bool, error) { return e.Type != watch.Deleted, nil })
	if err != nil {
		t.Fatalf("waiting for the default ServiceAccount of %s: %v", name, err)
	}
	return name
}

// WaitPod watches a pod until done reports true for it, and returns it. It
// fails the test on timeout, with the pod's last status in the message.
func WaitPod(t testing.TB, cs kubernetes.Interface, ns, name string, timeout time.Duration,
	done func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return cs.CoreV1().Pods(ns).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return cs.CoreV1().Pods(ns).Watch(ctx, o)
		},
	}
	var last *corev1.Pod
	ev, err := watchtools.UntilWithSync(ctx, lw, &corev1.Pod{}, nil, func(e watch.Event) (bool, error) {
		p, ok := e.Object.(*corev1.Pod)
		if !ok || e.Type == watch.Deleted {
			return false, nil
		}
		last = p
		return done(p), nil
	})
	if err != nil {
		t.Fatalf("waiting for pod %s/%s: %v; last status: %s", ns, name, err, describe(last))
	}
	return ev.Object.(*corev1.Pod)
}

// PodFinished reports whether a pod has ended, one way or the other.
func PodFinished(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
}

// PodLogs reads a container's log through the apiserver (the kubelet serves
// it), as `kubectl logs` does.
func PodLogs(t testing.TB, cs kubernetes.Interface, ns, pod, container string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("reading the log of %s/%s: %v", ns, pod, err)
	}
	return string(b)
}

func describe(p *corev1.Pod) string {
	if p == nil {
		return "no pod seen"
	}
	s := fmt.Sprintf("phase=%s", p.Status.Phase)
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue && c.Message != "" {
			s += fmt.Sprintf("; %s: %s", c.Type, c.Message)
		}
	}
	for _, c := range p.Status.ContainerStatuses {
		switch {
		case c.State.Waiting != nil:
			s += fmt.Sprintf("; %s waiting: %s %s", c.Name, c.State.Waiting.Reason, c.State.Waiting.Message)
		case c.State.Terminated != nil:
			s += fmt.Sprintf("; %s terminated: exit %d %s", c.Name, c.State.Terminated.ExitCode, c.State.Terminated.Reason)
		}
	}
	return s
}
