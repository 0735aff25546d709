package watch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

const serialSteps = 20

// BenchmarkStepOverhead compares a 20-step serial workflow of `true` with
// two baselines measured in the same run on the same cluster: 20 bare Jobs
// and 20 bare Pods, each created and awaited one after another by a plain
// client-go loop. Goal: the workflow within 1.05x of the Job baseline.
func BenchmarkStepOverhead(b *testing.B) {
	cs, _ := testcluster.Client(b)
	ns := testcluster.Namespace(b, cs)
	ctx := context.Background()
	var jobs, pods, wf time.Duration
	for i := 0; b.Loop(); i++ {
		jobs += timed(b, func() { bareJobs(ctx, b, cs, ns, fmt.Sprintf("bare-%d", i)) })
		pods += timed(b, func() { barePods(ctx, b, cs, ns, fmt.Sprintf("pod-%d", i)) })
		wf += timed(b, func() { serialWorkflow(ctx, b, cs, ns, fmt.Sprintf("serial-%d", i)) })
	}
	n := float64(b.N)
	b.ReportMetric(jobs.Seconds()/n/serialSteps, "s/bare-job")
	b.ReportMetric(pods.Seconds()/n/serialSteps, "s/bare-pod")
	b.ReportMetric(wf.Seconds()/n/serialSteps, "s/step")
	b.ReportMetric(wf.Seconds()/jobs.Seconds(), "x-jobs(goal<=1.05)")
	b.ReportMetric(wf.Seconds()/pods.Seconds(), "x-pods")
}

func timed(b *testing.B, fn func()) time.Duration {
	b.Helper()
	start := time.Now()
	fn()
	return time.Since(start)
}

func trueContainer() corev1.Container {
	return corev1.Container{Name: "main", Image: "busybox", Command: []string{"true"}}
}

func bareJobs(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns, prefix string) {
	for i := range serialSteps {
		job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", prefix, i)},
			Spec: batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{trueContainer()}}}}}
		if _, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		until(ctx, b, jobsLW(cs, ns, job.Name), &batchv1.Job{}, func(o runtime.Object) bool {
			for _, c := range o.(*batchv1.Job).Status.Conditions {
				if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
					return true
				}
			}
			return false
		})
	}
}

func barePods(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns, prefix string) {
	for i := range serialSteps {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", prefix, i)},
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{trueContainer()}}}
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		until(ctx, b, podsLW(cs, ns, pod.Name), &corev1.Pod{}, func(o runtime.Object) bool {
			return o.(*corev1.Pod).Status.Phase == corev1.PodSucceeded
		})
	}
}

func serialWorkflow(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns, name string) {
	var y strings.Builder
	fmt.Fprintf(&y, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: %s}\nspec:\n  entrypoint: main\n  templates:\n  - name: t\n    container: {image: busybox, command: [\"true\"]}\n  - name: main\n    steps:\n", name)
	for i := range serialSteps {
		fmt.Fprintf(&y, "    - - {name: s%d, template: t}\n", i)
	}
	docs, diags := compile.ParseFile("bench.yaml", []byte(y.String()))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	if _, _, err := watch.Create(ctx, cs, docs[0], compile.Options{Namespace: ns}, false); err != nil {
		b.Fatal(err)
	}
	status, err := watch.Drive(ctx, cs, watch.Config{Namespace: ns, Name: name, Identity: "bench"})
	if err != nil || status.Phase != watch.Succeeded {
		b.Fatalf("workflow %s: %v %v", name, status, err)
	}
}

func until(ctx context.Context, b *testing.B, lw cache.ListerWatcher, obj runtime.Object, cond func(runtime.Object) bool) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	_, err := watchtools.UntilWithSync(ctx, lw, obj, nil, func(ev apiwatch.Event) (bool, error) {
		return ev.Type != apiwatch.Deleted && cond(ev.Object), nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func jobsLW(cs kubernetes.Interface, ns, name string) cache.ListerWatcher {
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	return cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return cs.BatchV1().Jobs(ns).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (apiwatch.Interface, error) {
			o.FieldSelector = sel
			return cs.BatchV1().Jobs(ns).Watch(ctx, o)
		},
	}, cs)
}

func podsLW(cs kubernetes.Interface, ns, name string) cache.ListerWatcher {
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	return cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return cs.CoreV1().Pods(ns).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (apiwatch.Interface, error) {
			o.FieldSelector = sel
			return cs.CoreV1().Pods(ns).Watch(ctx, o)
		},
	}, cs)
}
