package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/internal/testworkflows"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// kwokNode is the simulated node hack/cluster/kwok.sh registers; pods
// reach it by its label and by tolerating its taint.
const (
	kwokNode      = "kwok-0"
	kwokPlacement = `
  nodeSelector: {type: kwok}
  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]`
)

// maxAnnotationBytes is the apiserver's limit on one object's annotations.
const maxAnnotationBytes = 256 << 10

// needKwok makes sure the simulated node is Ready, starting kwok through
// hack/cluster/kwok.sh when it is not, and skips the test when kwok cannot
// be had (no Go module proxy to build it from, say).
func needKwok(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	if nodeReady(cs, kwokNode) {
		return
	}
	script, err := filepath.Abs("../../../hack/cluster/kwok.sh")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(script, "up").CombinedOutput()
	if err != nil {
		t.Skipf("the simulated node is not available (%s up: %v):\n%s", script, err, out)
	}
	if !nodeReady(cs, kwokNode) {
		t.Fatalf("%s up succeeded but node %s is not Ready:\n%s", script, kwokNode, out)
	}
}

func nodeReady(cs kubernetes.Interface, name string) bool {
	node, err := cs.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return false
	}
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// fanOutWorkflow: a suspend of a few seconds (the driver must sit idle
// through it), then one step group of n pods from withSequence.
func fanOutWorkflow(name string, n int) string {
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: %s}
spec:
  entrypoint: main%s
  templates:
  - name: main
    steps:
    - - {name: idle, template: idle}
    - - name: fan
        template: one
        arguments: {parameters: [{name: i, value: "{{item}}"}]}
        withSequence: {count: "%d"}
  - name: idle
    suspend: {duration: "%d"}
  - name: one
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.i}}"]}
`, name, kwokPlacement, n, int(idleSeconds))
}

// wideDAGWorkflow: n tasks in five layers, each after two of the layer
// before (testworkflows.WideDAG, which BenchmarkDriveWideDAG drives too).
func wideDAGWorkflow(name string, n int) string {
	return testworkflows.WideDAG(name, n, kwokPlacement)
}

// idleSeconds is how long the fan-out workflow suspends first; the test
// watches the driver's requests and CPU through the middle of it.
const idleSeconds = 12

// TestScaleOnSimulatedNode runs a withSequence fan-out and a wide DAG on
// kwok's simulated node (300 pods each; 5,000 under KUBECTL_WF_SOAK=1, or
// KUBECTL_WF_SCALE_NODES) with
// an unmodified `kubectl wf watch` process, and checks that each ends
// Succeeded with every node Succeeded, exactly one Job ever per pod node,
// every pod on the simulated node, and the workflow object's annotations
// far below the apiserver's limit. It prints the driver's peak RSS, CPU
// time and API requests per node by verb (counted by a proxy in front of
// the apiserver), and checks that the driver does not poll while idle.
func TestScaleOnSimulatedNode(t *testing.T) {
	cs, cfg := testcluster.Client(t)
	needKwok(t, cs)
	bin := buildBinary(t)
	n := 300
	if os.Getenv("KUBECTL_WF_SOAK") != "" {
		n = 5000
	}
	if s := os.Getenv("KUBECTL_WF_SCALE_NODES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 5 {
			t.Fatalf("KUBECTL_WF_SCALE_NODES=%q: want a number of at least 5", s)
		}
	}
	for _, tc := range []struct {
		name     string
		workflow func(name string, n int) string
		idle     bool
	}{
		{name: "fan-out", workflow: fanOutWorkflow, idle: true},
		{name: "wide-dag", workflow: wideDAGWorkflow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			name := fmt.Sprintf("%s-%d", tc.name, n)
			jobsCreated := recordJobCreations(t, cs, ns)
			if code, _, errOut := onCluster(t, ns, "submit", writeTemp(t, tc.workflow(name, n)), "--driver=none"); code != 0 {
				t.Fatalf("submit: exit %d: %s", code, errOut)
			}
			proxy := testcluster.NewCountingProxy(t, cfg)
			run := startDriver(t, bin, proxy.Kubeconfig, ns, name)
			if tc.idle {
				checkIdle(t, proxy, run.cmd.Process.Pid)
			}
			code := run.wait(t, 40*time.Minute)
			counts := proxy.Counts()
			if code != 0 {
				t.Fatalf("watch exited %d; its output ends:\n%s", code, run.tail())
			}

			doc := getJSON(t, ns, name)
			if doc.Status.Phase != watch.Succeeded {
				t.Errorf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
			}
			pods := 0
			jobOfNode := map[string]string{}
			for _, node := range doc.Status.Nodes {
				if node.Phase != watch.Succeeded {
					t.Errorf("node %s is %s (%s), want Succeeded", node.Name, node.Phase, node.Message)
				}
				if node.Type == "Pod" {
					pods++
					jobOfNode[node.ID] = node.Job
				}
			}
			if pods != n {
				t.Errorf("%d pod nodes, want %d", pods, n)
			}
			checkOneJobPerNode(t, cs, ns, name, jobOfNode, jobsCreated())
			checkPodsOnKwok(t, cs, ns, name)
			annotations := workflowAnnotationBytes(t, cs, ns, name)
			if annotations > maxAnnotationBytes/10 {
				t.Errorf("the workflow object's annotations are %d bytes, want under a tenth of the %d limit", annotations, maxAnnotationBytes)
			}
			peak, maxAnonKiB := run.peak()
			line := fmt.Sprintf("scale %s: %d pod nodes in %.1fs; driver peak RSS %.1f MiB (%s; peak anonymous %d MiB), CPU %.1fs; workflow annotations %d bytes; API requests %s",
				tc.name, n, run.elapsed.Seconds(), float64(peak.hwmKiB)/1024, peak, maxAnonKiB/1024, run.cpu.Seconds(), annotations, testcluster.FormatCounts(counts, n))
			t.Log(line)
			fmt.Println(line)
		})
	}
}

// recordJobCreations watches the namespace's Jobs from now on and returns
// a function giving how many times each name was created (by UID).
func recordJobCreations(t *testing.T, cs kubernetes.Interface, ns string) func() map[string]int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	list, err := cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A RetryWatcher resumes where a closed watch stopped, so that no
	// creation goes unseen.
	w, err := watchtools.NewRetryWatcherWithContext(ctx, list.ResourceVersion, &cache.ListWatch{
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (apiwatch.Interface, error) {
			return cs.BatchV1().Jobs(ns).Watch(ctx, o)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	uids := map[string]map[types.UID]bool{}
	go func() {
		for ev := range w.ResultChan() {
			if job, ok := ev.Object.(*batchv1.Job); ok && ev.Type == apiwatch.Added {
				mu.Lock()
				if uids[job.Name] == nil {
					uids[job.Name] = map[types.UID]bool{}
				}
				uids[job.Name][job.UID] = true
				mu.Unlock()
			}
		}
	}()
	return func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for name, set := range uids {
			out[name] = len(set)
		}
		return out
	}
}

// driverRun is one `kubectl wf watch` process and what it cost.
type driverRun struct {
	cmd     *exec.Cmd
	out     *os.File
	start   time.Time
	elapsed time.Duration
	cpu     time.Duration
	// Under mu: maxAnonKiB is the peak of the driver's anonymous memory
	// (RssAnon, sampled), its RSS less the binary's own pages, which the
	// kernel maps in from the file and may drop at any time; atPeak is the
	// sample at which its peak RSS (VmHWM) last rose. sampled is closed
	// when the sampling ends, after the exit.
	mu         sync.Mutex
	maxAnonKiB int64
	atPeak     memSample
	sampled    chan struct{}
}

func startDriver(t *testing.T, bin, kubeconfig, ns, name string) *driverRun {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "watch.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "watch", name, "--kubeconfig", kubeconfig, "-n", ns, "--no-color")
	cmd.Stdout, cmd.Stderr = out, out
	r := &driverRun{cmd: cmd, out: out, start: time.Now(), sampled: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go r.sampleMemory(cmd.Process.Pid)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
		}
	})
	return r
}

// wait waits for the driver to exit and reads its CPU time from the
// kernel's accounting of the child. Not its peak RSS: Linux counts in a
// child's ru_maxrss the RSS of the process it was forked from up to its
// exec, here this test's (a child of a 300 MiB Go process that runs
// /bin/true reports 302 MiB), so the peak is the driver's own VmHWM,
// sampled until it exits.
func (r *driverRun) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		_ = r.cmd.Process.Kill()
		<-done
		t.Fatalf("watch did not end within %v; its output ends:\n%s", timeout, r.tail())
	}
	r.elapsed = time.Since(r.start)
	<-r.sampled
	r.cpu = r.cmd.ProcessState.UserTime() + r.cmd.ProcessState.SystemTime()
	return r.cmd.ProcessState.ExitCode()
}

// sampleMemory follows the driver's memory (/proc/PID/status) every 10 ms
// until it exits: the peak of its anonymous memory, and what its RSS was
// made of, and when, at the sample where its peak RSS (VmHWM) last rose.
// VmHWM is the kernel's, so a peak between two samples is counted by the
// next one (not one in the last 10 ms before the exit), though not in what
// the RSS was made of.
func (r *driverRun) sampleMemory(pid int) {
	defer close(r.sampled)
	var hwm int64
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return
		}
		m := procStatusKiB(string(b), "RssAnon:", "RssFile:", "VmHWM:")
		r.mu.Lock()
		r.maxAnonKiB = max(r.maxAnonKiB, m["RssAnon:"])
		if m["VmHWM:"] > hwm {
			hwm = m["VmHWM:"]
			r.atPeak = memSample{at: time.Since(r.start), anonKiB: m["RssAnon:"], fileKiB: m["RssFile:"], hwmKiB: hwm}
		}
		r.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
}

// memSample is what one sample of the driver's memory saw.
type memSample struct {
	at                       time.Duration
	anonKiB, fileKiB, hwmKiB int64
}

func (s memSample) String() string {
	return fmt.Sprintf("anonymous %d + file %d MiB when it last rose, at %.0fs", s.anonKiB/1024, s.fileKiB/1024, s.at.Seconds())
}

// procStatusKiB reads the named kB fields of a /proc/PID/status.
func procStatusKiB(status string, fields ...string) map[string]int64 {
	out := map[string]int64{}
	for _, line := range strings.Split(status, "\n") {
		for _, f := range fields {
			if v, ok := strings.CutPrefix(line, f); ok {
				out[f], _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			}
		}
	}
	return out
}

// peak is the sample at which the peak RSS last rose, and the peak of
// the anonymous memory.
func (r *driverRun) peak() (memSample, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.atPeak, r.maxAnonKiB
}

func (r *driverRun) tail() string {
	b, _ := os.ReadFile(r.out.Name())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// checkIdle measures the driver while the workflow sits in its suspend
// step: nothing changes, so it must neither call the apiserver beyond
// renewing its Lease nor burn CPU.
func checkIdle(t *testing.T, proxy *testcluster.CountingProxy, pid int) {
	t.Helper()
	const settle, window = 3 * time.Second, 6 * time.Second
	time.Sleep(settle)
	before, cpu0 := proxy.Counts(), processCPU(t, pid)
	time.Sleep(window)
	counts, cpu := proxy.Since(before), processCPU(t, pid)-cpu0
	total := 0
	for _, c := range counts {
		total += c
	}
	// A Lease renewal every LeaseDuration/3 (a get and an update), and one
	// to spare for a window that straddles two.
	renewals := int(window/(watch.LeaseDuration/3)) + 1
	if total > 2*renewals {
		t.Errorf("the driver made %d API requests in %v of idling, want at most %d (Lease renewals): %v", total, window, 2*renewals, counts)
	}
	if cpu > window/20 {
		t.Errorf("the driver used %v of CPU in %v of idling, want under 5%%", cpu, window)
	}
	t.Logf("idle for %v: %d API requests %v, %v CPU", window, total, counts, cpu)
}

// processCPU reads a process's user+system CPU time from /proc.
func processCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (which may hold spaces) start at state.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	var utime, stime int64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// checkOneJobPerNode: every pod node has its own Job, which was created
// once, and no Job exists that no node accounts for.
func checkOneJobPerNode(t *testing.T, cs kubernetes.Interface, ns, name string, jobOfNode map[string]string, created map[string]int) {
	t.Helper()
	seen := map[string]string{}
	for node, job := range jobOfNode {
		if job == "" {
			t.Errorf("node %s has no Job", node)
			continue
		}
		if other, ok := seen[job]; ok {
			t.Errorf("nodes %s and %s share Job %s", node, other, job)
		}
		seen[job] = node
		if created[job] != 1 {
			t.Errorf("Job %s (node %s) was created %d times, want once", job, node, created[job])
		}
	}
	jobs := jobsOf(t, cs, ns, name)
	if len(jobs) != len(jobOfNode) {
		t.Errorf("%d Jobs for %d pod nodes", len(jobs), len(jobOfNode))
	}
	for _, job := range jobs {
		if _, ok := seen[job]; !ok {
			t.Errorf("Job %s belongs to no node", job)
		}
	}
}

// checkPodsOnKwok: every pod of the workflow ran on the simulated node,
// placed there by the workflow's nodeSelector and tolerations.
func checkPodsOnKwok(t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + name})
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for _, p := range pods.Items {
		if p.Spec.NodeName != kwokNode {
			off++
		}
	}
	if off > 0 || len(pods.Items) == 0 {
		t.Errorf("%d of %d pods are not on %s", off, len(pods.Items), kwokNode)
	}
}

func workflowAnnotationBytes(t *testing.T, cs kubernetes.Interface, ns, name string) int {
	t.Helper()
	obj, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for k, v := range obj.Annotations {
		size += len(k) + len(v)
	}
	return size
}
