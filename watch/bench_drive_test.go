package watch

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// BenchmarkDriveWideFanOut drives a withSequence fan-out of 5,000 pods
// (KUBECTL_WF_BENCH_NODES to change it) through the real driver on a fake
// clientset, whose kubelet starts a pod for each Job and ends it a little
// later, at KUBECTL_WF_BENCH_POD_RATE pods a second (200 unless set), and
// reports the process's peaks: its heap in use (peak-heap-MB), the memory
// the Go runtime holds from the OS (peak-mapped-MB, what RSS follows),
// and the live heap a collection found (peak-live-MB), which sets the
// next collection's goal. The fake apiserver's store lives in the same
// heap, keeping Jobs and pods slim as the driver's caches do: store-MB is
// the heap live once the driver has returned, and driver-live-MB the
// live peak less that. These are heap figures, not a process's RSS; the
// fake hands objects over without JSON, so a real driver also has the
// decoding's garbage. Run it with
// -benchtime 1x; KUBECTL_WF_BENCH_HEAP_PROFILE=FILE writes the heap
// profile at the peak of the live heap.
func BenchmarkDriveWideFanOut(b *testing.B) {
	benchmarkDrive(b, wideFanOutYAML)
}

// BenchmarkDriveWideDAG is BenchmarkDriveWideFanOut's drive of a
// five-layer DAG of as many tasks, each after two of the layer before
// (wideDAGYAML), as the scale test on the cluster runs it.
func BenchmarkDriveWideDAG(b *testing.B) {
	benchmarkDrive(b, wideDAGYAML)
}

// benchmarkDrive drives the workflow workflowYAML gives for the number of
// pod nodes asked for and reports its footprint.
func benchmarkDrive(b *testing.B, workflowYAML func(nodes int) string) {
	nodes, rate := envInt(b, "KUBECTL_WF_BENCH_NODES", 5000), envInt(b, "KUBECTL_WF_BENCH_POD_RATE", 200)
	if os.Getenv("KUBECTL_WF_BENCH_HEAP_PROFILE") != "" {
		// A sample every 512 KiB says little of objects of a few hundred
		// bytes each; every 16 KiB costs some CPU, only when profiling.
		runtime.MemProfileRate = 16 << 10
	}
	for b.Loop() {
		m := drive(b, workflowYAML(nodes), nodes, rate)
		b.ReportMetric(float64(m.peakHeap)/1e6, "peak-heap-MB")
		b.ReportMetric(float64(m.peakMapped)/1e6, "peak-mapped-MB")
		b.ReportMetric(float64(m.peakLive)/1e6, "peak-live-MB")
		b.ReportMetric(float64(m.store)/1e6, "store-MB")
		b.ReportMetric(float64(m.peakLive-m.store)/1e6, "driver-live-MB")
		b.ReportMetric(m.cpu.Seconds(), "cpu-s")
		b.ReportMetric(float64(m.reconciles), "reconciles")
	}
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// footprint is what one drive of a workflow cost.
type footprint struct {
	peakHeap   uint64 // in-use heap spans (HeapInuse)
	peakMapped uint64 // memory the runtime holds and has not returned to the OS
	peakLive   uint64 // heap found reachable by a collection
	store      uint64 // heap live once the driver returned: the fake's objects
	cpu        time.Duration
	reconciles int64
}

// drive runs the workflow in workflowYAML, of nodes pod nodes, to its end.
func drive(b *testing.B, workflowYAML string, nodes, podRate int) footprint {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cs := plainClientset()
	var reconciles atomic.Int64
	cs.PrependReactor("get", "configmaps", func(a clienttesting.Action) (bool, kruntime.Object, error) {
		if a.(clienttesting.GetAction).GetName() == "wf" {
			reconciles.Add(1)
		}
		return false, nil, nil
	})
	docs, diags := compile.ParseFile("wf.yaml", []byte(workflowYAML))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns"})
	if err != nil {
		b.Fatal(err)
	}
	obj, err := w.WorkflowObject()
	if err != nil {
		b.Fatal(err)
	}
	obj.UID = "0b7c4a4e-5f0e-4a55-9d38-2c9f1b7e0a10"
	if _, err := cs.CoreV1().ConfigMaps("ns").Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	w, docs = nil, nil
	kubeletCtx, stopKubelet := context.WithCancel(ctx)
	kubeletDone := pacedKubelet(kubeletCtx, b, cs, "ns", podRate)
	stopSampling := sampleMemory()
	runtime.GC()
	cpuBefore := cpuTime()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "bench"})
	cpu := cpuTime() - cpuBefore
	peak := stopSampling()
	stopKubelet()
	<-kubeletDone
	if err != nil || status.Phase != Succeeded {
		b.Fatalf("workflow: %v %v", status, err)
	}
	if want := strconv.Itoa(nodes) + "/" + strconv.Itoa(nodes); status.Progress != want {
		b.Fatalf("progress %s, want %s", status.Progress, want)
	}
	cs.ClearActions()
	status = nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(cs)
	return footprint{peakHeap: peak.heap, peakMapped: peak.mapped, peakLive: peak.live, store: ms.HeapAlloc, cpu: cpu, reconciles: reconciles.Load()}
}

// memoryPeaks are the highest figures sampled; live is the heap the last
// garbage collection found reachable, which sets the next one's goal.
type memoryPeaks struct{ heap, mapped, live uint64 }

// sampleMemory reads the runtime's memory figures every millisecond until
// the returned func is called, which returns their peaks.
func sampleMemory() func() memoryPeaks {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}
	peaks := &memoryPeaks{}
	profile := os.Getenv("KUBECTL_WF_BENCH_HEAP_PROFILE")
	read := func() {
		metrics.Read(samples)
		heap := samples[0].Value.Uint64() + samples[1].Value.Uint64()
		mapped := samples[2].Value.Uint64() - samples[3].Value.Uint64()
		peaks.heap, peaks.mapped = max(peaks.heap, heap), max(peaks.mapped, mapped)
		if live := samples[4].Value.Uint64(); live > peaks.live {
			peaks.live = live
			if profile != "" {
				writeHeapProfile(profile)
			}
		}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				read()
				return
			case <-tick.C:
				read()
			}
		}
	}()
	return func() memoryPeaks {
		close(stop)
		<-done
		return *peaks
	}
}

// writeHeapProfile writes the heap profile as of the last collection: at
// the peak of the live heap, what held it.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pacedKubelet plays the Job controller and the kubelet: for each Job
// created it starts a pod, Running, at rate pods a second, and ends the
// pod started 50 pods before with exit code 0, marking its Job complete.
// It also forgets the fake's record of actions as it goes, which would
// otherwise keep a copy of every object sent.
func pacedKubelet(ctx context.Context, b *testing.B, cs *fake.Clientset, ns string, rate int) <-chan struct{} {
	const lag = 50
	jobs, err := cs.BatchV1().Jobs(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer jobs.Stop()
		var queue, running []string // Job names: the store has the Jobs
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-jobs.ResultChan():
				if job, ok := ev.Object.(*batchv1.Job); ok && ev.Type == apiwatch.Added {
					queue = append(queue, job.Name)
				}
			case <-tick.C:
				if len(queue) > 0 {
					startPod(ctx, b, cs, ns, queue[0])
					running = append(running, queue[0])
					queue = queue[1:]
				}
				if len(running) > lag || (len(queue) == 0 && len(running) > 0) {
					endPod(ctx, b, cs, ns, running[0])
					running = running[1:]
				}
				cs.ClearActions()
			}
		}
	}()
	return done
}

func startPod(ctx context.Context, b *testing.B, cs *fake.Clientset, ns, name string) {
	job, err := cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if ctx.Err() == nil {
			b.Errorf("reading job: %v", err)
		}
		return
	}
	pod := endedPod(job)
	pod.Status.Phase = corev1.PodRunning
	for i := range pod.Status.ContainerStatuses {
		pod.Status.ContainerStatuses[i].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: pod.CreationTimestamp}}
	}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil && ctx.Err() == nil {
		b.Errorf("creating pod: %v", err)
	}
}

func endPod(ctx context.Context, b *testing.B, cs *fake.Clientset, ns, name string) {
	job, err := cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if ctx.Err() == nil {
			b.Errorf("reading job: %v", err)
		}
		return
	}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, endedPod(job), metav1.UpdateOptions{}); err != nil && ctx.Err() == nil {
		b.Errorf("ending pod: %v", err)
	}
	job.Status = batchv1.JobStatus{Succeeded: 1, Conditions: []batchv1.JobCondition{
		{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue},
		{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}
	if _, err := cs.BatchV1().Jobs(ns).UpdateStatus(ctx, job, metav1.UpdateOptions{}); err != nil && ctx.Err() == nil {
		b.Errorf("completing job: %v", err)
	}
}

// plainClientset is a fake clientset whose store keeps objects as they
// are sent, as fake.NewSimpleClientset did: fake.NewClientset's store
// tracks managedFields and builds a REST mapper on every update, which
// at thousands of Jobs outweighs the driver in the heap. Its watches
// queue events without bound: the fake's own panic when more than 100
// wait, which thousands of Jobs created at once can exceed on a busy
// machine (see the pause below).
func plainClientset() *fake.Clientset {
	store := clienttesting.NewObjectTracker(scheme.Scheme, scheme.Codecs.UniversalDecoder())
	cs := &fake.Clientset{}
	cs.AddReactor("*", "*", func(a clienttesting.Action) (bool, kruntime.Object, error) {
		switch a.GetVerb() {
		case "create", "update", "patch", "delete":
			// A write takes the apiserver a while; the pause, taken
			// while the fake holds its lock, also lets the watches'
			// queues take up the fake's events before it has 100.
			time.Sleep(time.Millisecond)
		}
		if o, ok := a.(interface{ GetObject() kruntime.Object }); ok {
			// The store keeps Jobs and pods as the driver's caches do:
			// a real apiserver's copies are not in the driver's heap.
			// It keeps their labels, which its watches select on.
			switch obj := o.GetObject().(type) {
			case *batchv1.Job:
				slim := slimJob(obj)
				slim.Labels = obj.Labels
				*obj = *slim
			case *corev1.Pod:
				*obj = *slimPod(obj, true)
			}
		}
		return false, nil, nil
	})
	cs.AddReactor("*", "*", clienttesting.ObjectReaction(store))
	cs.AddWatchReactor("*", func(a clienttesting.Action) (bool, apiwatch.Interface, error) {
		var opts metav1.ListOptions
		if wa, ok := a.(clienttesting.WatchActionImpl); ok {
			opts = wa.ListOptions
		}
		w, err := store.Watch(a.GetResource(), a.GetNamespace(), opts)
		if err != nil {
			return true, nil, err
		}
		return true, newQueuedWatch(w), nil
	})
	return cs
}

type queuedWatch struct {
	in   apiwatch.Interface
	out  chan apiwatch.Event
	stop chan struct{}
	once atomic.Bool
}

func newQueuedWatch(in apiwatch.Interface) *queuedWatch {
	q := &queuedWatch{in: in, out: make(chan apiwatch.Event), stop: make(chan struct{})}
	go q.forward()
	return q
}

func (q *queuedWatch) forward() {
	defer close(q.out)
	var queue []apiwatch.Event
	events := q.in.ResultChan()
	for events != nil || len(queue) > 0 {
		var out chan apiwatch.Event
		var next apiwatch.Event
		if len(queue) > 0 {
			out, next = q.out, queue[0]
		}
		select {
		case <-q.stop:
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			queue = append(queue, ev)
		case out <- next:
			queue = queue[1:]
		}
	}
}

func (q *queuedWatch) Stop() {
	if q.once.CompareAndSwap(false, true) {
		close(q.stop)
		q.in.Stop()
	}
}

func (q *queuedWatch) ResultChan() <-chan apiwatch.Event { return q.out }
