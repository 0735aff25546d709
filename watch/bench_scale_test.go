package watch_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// These benchmarks compare the driver with what a plain client-go program
// does in the same run on the same cluster; hack/bench.sh (make bench)
// runs them with -benchtime 1x and prints the ratios. They assert only
// that the work was done, never how fast: the machine is shared.

const (
	parallelSteps = 50
	fanOutItems   = 1000
	reactionSteps = 100
	// kwokYAML places a workflow's pods on the simulated node of
	// hack/cluster/kwok.sh.
	kwokYAML = `
  nodeSelector: {type: kwok}
  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]`
)

// needKwok skips a benchmark when the simulated node is not Ready
// (hack/bench.sh starts it with hack/cluster/kwok.sh).
func needKwok(b *testing.B, cs kubernetes.Interface) {
	node, err := cs.CoreV1().Nodes().Get(context.Background(), "kwok-0", metav1.GetOptions{})
	if err == nil {
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				return
			}
		}
	}
	b.Skip("the simulated node kwok-0 is not Ready: run hack/cluster/kwok.sh up")
}

// onKwok changes a pod spec to land on the simulated node.
func onKwok(spec *corev1.PodSpec) {
	spec.NodeSelector = map[string]string{"type": "kwok"}
	spec.Tolerations = []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
}

func trueJob(name string) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"bench": "bare"}},
		Spec: batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{trueContainer()}}}}}
}

// runWorkflow submits a workflow and drives it in this process to its end.
func runWorkflow(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns, name, src string) {
	docs, diags := compile.ParseFile("bench.yaml", []byte(src))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	if _, _, err := watch.Create(ctx, cs, docs[0], compile.Options{Namespace: ns}, false); err != nil {
		b.Fatal(err)
	}
	status, err := watch.Drive(ctx, cs, watch.Config{Namespace: ns, Name: name, Identity: "bench"})
	if err != nil {
		b.Fatalf("workflow %s: %v", name, err)
	}
	if status.Phase != watch.Succeeded {
		var failed []string
		for _, n := range status.Nodes {
			if n.Phase == watch.Failed || n.Phase == watch.Error {
				failed = append(failed, fmt.Sprintf("%s %s: %s", n.Name, n.Phase, n.Message))
			}
		}
		slices.Sort(failed)
		b.Fatalf("workflow %s %s: %s\n%s", name, status.Phase, status.Message, strings.Join(failed, "\n"))
	}
}

// BenchmarkParallelOverhead: one step group of 50 parallel `true` steps on
// the real node, against 50 bare Jobs created at once and awaited (each
// Complete) by a client-go program. Goal: within 1.05x.
func BenchmarkParallelOverhead(b *testing.B) {
	cs, _ := testcluster.Client(b)
	ctx := context.Background()
	var jobs, wf time.Duration
	for i := 0; b.Loop(); i++ {
		ns := testcluster.Namespace(b, cs)
		jobs += timed(b, func() { parallelJobs(ctx, b, cs, ns) })
		ns = testcluster.Namespace(b, cs)
		wf += timed(b, func() {
			name := fmt.Sprintf("parallel-%d", i)
			runWorkflow(ctx, b, cs, ns, name, fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: %s}
spec:
  entrypoint: main
  templates:
  - name: t
    container: {image: busybox, command: ["true"]}
  - name: main
    steps:
    - - {name: p, template: t, withSequence: {count: "%d"}}
`, name, parallelSteps))
		})
	}
	n := float64(b.N)
	b.ReportMetric(jobs.Seconds()/n, "s/50-bare-jobs")
	b.ReportMetric(wf.Seconds()/n, "s/50-steps")
	b.ReportMetric(wf.Seconds()/jobs.Seconds(), "x-jobs(goal<=1.05)")
}

// parallelJobs creates 50 Jobs at once (16 in flight, as the driver does)
// and waits until every one is Complete.
func parallelJobs(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns string) {
	w, err := cs.BatchV1().Jobs(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range parallelSteps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := cs.BatchV1().Jobs(ns).Create(ctx, trueJob(fmt.Sprintf("bare-%d", i)), metav1.CreateOptions{}); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	complete := map[string]bool{}
	timeout := time.After(5 * time.Minute)
	for len(complete) < parallelSteps {
		select {
		case ev := <-w.ResultChan():
			if job, ok := ev.Object.(*batchv1.Job); ok && jobComplete(job) {
				complete[job.Name] = true
			}
		case <-timeout:
			b.Fatalf("%d of %d bare Jobs Complete after 5 minutes", len(complete), parallelSteps)
		}
	}
}

func jobComplete(job *batchv1.Job) bool {
	for _, c := range job.Status.Conditions {
		if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// BenchmarkFanOutRate: how fast the driver creates the Jobs of a withItems
// of 1,000 on the simulated node, against a bare client-go loop creating
// 1,000 such Jobs with the same client settings (QPS 50, burst 100:
// kubectl-wf's defaults). Each side gets a client of its own, made just
// before it starts, so each starts with a full token bucket: sharing one,
// the workflow started with what refilled after the loop drained it. The
// namespaces and the watches use a third. Both are timed from their start
// to the 1,000th Job's Added event on the same kind of watch. Goal: at
// least 0.9 of the loop's rate.
func BenchmarkFanOutRate(b *testing.B) {
	cs, _ := testcluster.Client(b)
	needKwok(b, cs)
	ctx := context.Background()
	var loop, wf time.Duration
	for i := 0; b.Loop(); i++ {
		ns := testcluster.Namespace(b, cs)
		added := jobsAdded(ctx, b, cs, ns, fanOutItems)
		loopClient, _ := testcluster.Client(b)
		start := time.Now()
		for j := range fanOutItems {
			job := trueJob(fmt.Sprintf("bare-%d", j))
			onKwok(&job.Spec.Template.Spec)
			if _, err := loopClient.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		loop += (<-added).Sub(start)

		ns = testcluster.Namespace(b, cs)
		added = jobsAdded(ctx, b, cs, ns, fanOutItems)
		items := make([]string, fanOutItems)
		for j := range items {
			items[j] = fmt.Sprint(j)
		}
		name := fmt.Sprintf("fan-out-%d", i)
		driverClient, _ := testcluster.Client(b)
		start = time.Now()
		runWorkflow(ctx, b, driverClient, ns, name, fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: %s}
spec:
  entrypoint: main%s
  templates:
  - name: t
    container: {image: busybox, command: ["true"]}
  - name: main
    steps:
    - - {name: p, template: t, withItems: [%s]}
`, name, kwokYAML, strings.Join(items, ", ")))
		wf += (<-added).Sub(start)
	}
	loopRate := float64(fanOutItems*b.N) / loop.Seconds()
	wfRate := float64(fanOutItems*b.N) / wf.Seconds()
	b.ReportMetric(loopRate, "jobs/s-bare-loop")
	b.ReportMetric(wfRate, "jobs/s-workflow")
	b.ReportMetric(wfRate/loopRate, "x-loop(goal>=0.9)")
}

// jobsAdded watches a namespace's Jobs and sends the time the n-th Added
// event arrived.
func jobsAdded(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns string, n int) <-chan time.Time {
	w, err := cs.BatchV1().Jobs(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan time.Time, 1)
	go func() {
		defer w.Stop()
		seen := 0
		for ev := range w.ResultChan() {
			if ev.Type == apiwatch.Added {
				if seen++; seen == n {
					done <- time.Now()
					return
				}
			}
		}
	}()
	return done
}

// BenchmarkReactionLatency: in a 100-step serial workflow on the simulated
// node, the time from a step's pod ending (its container terminated) to
// the next step's Job being created, both as seen by this process's
// watches; against the watch's own delivery delay, measured in the same
// run as the time from sending a write to its event arriving. Goal: p99
// under 50 ms more than the delivery delay.
func BenchmarkReactionLatency(b *testing.B) {
	cs, _ := testcluster.Client(b)
	needKwok(b, cs)
	ctx := context.Background()
	var reactions, deliveries []time.Duration
	for i := 0; b.Loop(); i++ {
		ns := testcluster.Namespace(b, cs)
		deliveries = append(deliveries, deliveryDelays(ctx, b, cs, ns, reactionSteps)...)
		reactions = append(reactions, serialReactions(ctx, b, cs, ns, fmt.Sprintf("serial-%d", i))...)
	}
	r50, r99 := percentile(reactions, 50), percentile(reactions, 99)
	d50, d99 := percentile(deliveries, 50), percentile(deliveries, 99)
	b.ReportMetric(ms(r50), "ms-reaction-p50")
	b.ReportMetric(ms(r99), "ms-reaction-p99")
	b.ReportMetric(ms(d50), "ms-delivery-p50")
	b.ReportMetric(ms(d99), "ms-delivery-p99")
	b.ReportMetric(ms(r99-d99), "ms-added-p99(goal<50)")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

// deliveryDelays patches a ConfigMap n times and returns, for each, the
// time from sending the patch to its event arriving on a watch: one
// write and one watch delivery, the least any reaction to an event costs.
func deliveryDelays(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns string, n int) []time.Duration {
	cms := cs.CoreV1().ConfigMaps(ns)
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "delivery"}}, metav1.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: cm.ResourceVersion})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	var out []time.Duration
	for i := range n {
		patch := fmt.Sprintf(`{"data":{"i":"%d"}}`, i)
		sent := time.Now()
		updated, err := cms.Patch(ctx, "delivery", "application/merge-patch+json", []byte(patch), metav1.PatchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for ev := range w.ResultChan() {
			if o, ok := ev.Object.(*corev1.ConfigMap); ok && o.ResourceVersion == updated.ResourceVersion {
				// From the write's start: the event often arrives before
				// the write's own response.
				out = append(out, time.Since(sent))
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return out
}

// serialReactions drives a serial workflow of `true` steps on the
// simulated node and returns, for each step after the first, the time from
// the previous step's pod having a terminated container to its own Job's
// Added event.
func serialReactions(ctx context.Context, b *testing.B, cs kubernetes.Interface, ns, name string) []time.Duration {
	var y strings.Builder
	fmt.Fprintf(&y, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: %s}\nspec:\n  entrypoint: main%s\n  templates:\n  - name: t\n    container: {image: busybox, command: [\"true\"]}\n  - name: main\n    steps:\n", name, kwokYAML)
	for i := range reactionSteps {
		fmt.Fprintf(&y, "    - - {name: s%d, template: t}\n", i)
	}
	watchCtx, stop := context.WithCancel(ctx)
	defer stop()
	sel := metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + name}
	jw, err := cs.BatchV1().Jobs(ns).Watch(watchCtx, sel)
	if err != nil {
		b.Fatal(err)
	}
	pw, err := cs.CoreV1().Pods(ns).Watch(watchCtx, sel)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	created := map[string]time.Time{} // by node name
	ended := map[string]time.Time{}
	go func() {
		for ev := range jw.ResultChan() {
			if job, ok := ev.Object.(*batchv1.Job); ok && ev.Type == apiwatch.Added {
				mu.Lock()
				created[job.Annotations[compile.AnnotationNodeName]] = time.Now()
				mu.Unlock()
			}
		}
	}()
	go func() {
		for ev := range pw.ResultChan() {
			pod, ok := ev.Object.(*corev1.Pod)
			if !ok || len(pod.Status.ContainerStatuses) == 0 || pod.Status.ContainerStatuses[0].State.Terminated == nil {
				continue
			}
			node := pod.Annotations[compile.AnnotationNodeName]
			mu.Lock()
			if _, seen := ended[node]; !seen {
				ended[node] = time.Now()
			}
			mu.Unlock()
		}
	}()
	runWorkflow(ctx, b, cs, ns, name, y.String())
	stop()
	mu.Lock()
	defer mu.Unlock()
	var out []time.Duration
	for i := 1; i < reactionSteps; i++ {
		prev, next := stepNode(name, i-1), stepNode(name, i)
		e, okE := ended[prev]
		c, okC := created[next]
		if !okE || !okC {
			b.Fatalf("step %d: pod end seen %v, next Job seen %v (nodes %q, %q; seen %d ends, %d creations)", i, okE, okC, prev, next, len(ended), len(created))
		}
		out = append(out, c.Sub(e))
	}
	return out
}

// stepNode is the node name of step i of serialReactions' workflow.
func stepNode(workflow string, i int) string {
	return fmt.Sprintf("%s[%d].s%d", workflow, i, i)
}
