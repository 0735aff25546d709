package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// chaosWorkflows are the mix the chaos test drives, each with the phase it
// ends in undisturbed and the outputs that must not be lost.
var chaosWorkflows = []struct {
	name, src string
	phase     watch.Phase
	// results maps a node name suffix to its outputs.result.
	results map[string]string
}{
	{name: "serial", phase: watch.Succeeded, results: map[string]string{"[3].d": "3"}, src: `
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: add, arguments: {parameters: [{name: n, value: "0"}]}}
    - - {name: b, template: add, arguments: {parameters: [{name: n, value: "{{steps.a.outputs.result}}"}]}}
    - - {name: c, template: add, arguments: {parameters: [{name: n, value: "{{steps.b.outputs.result}}"}]}}
    - - {name: d, template: echo, arguments: {parameters: [{name: n, value: "{{steps.c.outputs.result}}"}]}}
  - name: add
    inputs: {parameters: [{name: n}]}
    container: {image: busybox, command: [sh, -c, "sleep 3; echo $(( {{inputs.parameters.n}} + 1 ))"]}
  - name: echo
    inputs: {parameters: [{name: n}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.n}}"]}
`},
	{name: "parallel", phase: watch.Succeeded, src: `
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: p, template: nap, withItems: [1, 2, 3, 4]}
  - name: nap
    container: {image: busybox, command: [sleep, "8"]}
`},
	{name: "fan-out", phase: watch.Succeeded, results: map[string]string{".join": "5"}, src: `
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: start, template: nap}
      - {name: fan, template: one, depends: start, withItems: [a, b, c, d, e]}
      - name: join
        depends: fan
        template: count
        arguments: {parameters: [{name: list, value: "{{tasks.fan.outputs.result}}"}]}
  - name: nap
    container: {image: busybox, command: [sleep, "3"]}
  - name: one
    container: {image: busybox, command: [sh, -c, "sleep 3; echo 1"]}
  - name: count
    inputs: {parameters: [{name: list}]}
    container: {image: busybox, command: [sh, -c, "echo '{{inputs.parameters.list}}' | tr -cd 1 | wc -c"]}
`},
	{name: "retry", phase: watch.Succeeded, src: `
  entrypoint: flaky
  templates:
  - name: flaky
    retryStrategy: {limit: 3}
    container: {image: busybox, command: [sh, -c, "sleep 3; [ {{retries}} -ge 2 ]"]}
`},
	{name: "exit-handler", phase: watch.Failed, results: map[string]string{".onExit": "Failed"}, src: `
  entrypoint: main
  onExit: report
  templates:
  - name: main
    steps:
    - - {name: nap, template: nap}
    - - {name: boom, template: boom}
  - name: nap
    container: {image: busybox, command: [sleep, "6"]}
  - name: boom
    container: {image: busybox, command: [sh, -c, "exit 1"]}
  - name: report
    container: {image: busybox, command: [echo, "{{workflow.status}}"]}
`},
	{name: "suspend", phase: watch.Succeeded, src: `
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: before, template: nap}
    - - {name: wait, template: pause}
    - - {name: after, template: nap}
  - name: nap
    container: {image: busybox, command: [sleep, "3"]}
  - name: pause
    suspend: {duration: "8"}
`},
}

// TestChaosDriverKills drives a mix of workflows with `kubectl wf watch`
// processes that are killed (SIGKILL) at random instants and started
// again, until every workflow has ended. Each must end as it would
// undisturbed, every node attempt must have run exactly once (one Job
// ever per name, one pod per Job), and no output may be lost. The seed is
// printed; KUBECTL_WF_CHAOS_SEED replays it. KUBECTL_WF_SOAK=1 kills 200
// times instead of 20 (make soak).
func TestChaosDriverKills(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	bin := buildBinary(t)
	kubeconfig := testcluster.Kubeconfig(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("KUBECTL_WF_CHAOS_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("KUBECTL_WF_CHAOS_SEED: %v", err)
		}
	}
	target := int64(20)
	if os.Getenv("KUBECTL_WF_SOAK") != "" {
		target = 200
	}
	t.Logf("chaos seed %d (replay with KUBECTL_WF_CHAOS_SEED=%d)", seed, seed)

	// Every Job the namespace ever has, by name: a second UID for a name
	// would be a node attempt run twice.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jobWatch, err := cs.BatchV1().Jobs(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	uids := map[string]map[types.UID]bool{}
	go func() {
		for ev := range jobWatch.ResultChan() {
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

	var kills atomic.Int64
	// Each of the mix runs in its own slot, instance after instance, until
	// the kills reach the target; then the last instances run to their end.
	type instance struct {
		name string
		spec int
	}
	var instances []instance
	var wg sync.WaitGroup
	for i, wf := range chaosWorkflows {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n == 0 || kills.Load() < target; n++ {
				name := fmt.Sprintf("%s-%d", wf.name, n)
				file := writeTemp(t, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: "+name+"}\nspec:"+wf.src)
				if code, _, errOut := onCluster(t, ns, "submit", file, "--driver=none"); code != 0 {
					t.Errorf("%s: submit: %s", name, errOut)
					return
				}
				mu.Lock()
				instances = append(instances, instance{name, i})
				mu.Unlock()
				if !driveWithKills(t, bin, kubeconfig, ns, name, rng, &kills, target) {
					return
				}
			}
		}()
	}
	wg.Wait()

	duplicates, lost := 0, 0
	for _, in := range instances {
		wf := chaosWorkflows[in.spec]
		wf.name = in.name
		doc := getJSON(t, ns, wf.name)
		if doc.Status.Phase != wf.phase {
			t.Errorf("%s: phase %s (%s), want %s", wf.name, doc.Status.Phase, doc.Status.Message, wf.phase)
			for _, n := range doc.Status.Nodes {
				if n.Type == "Pod" {
					t.Logf("  %s %s %q outputs=%s", n.Name, n.Phase, n.Message, mustJSONString(n.Outputs))
				}
			}
			for _, j := range jobsOf(t, cs, ns, wf.name) {
				job, _ := cs.BatchV1().Jobs(ns).Get(context.Background(), j, metav1.GetOptions{})
				t.Logf("  job %s result=%s", j, job.Annotations[watch.AnnotationResult])
			}
			lost++
		}
		for suffix, want := range wf.results {
			n := nodeByName(doc, suffix)
			switch {
			case n == nil:
				t.Errorf("%s: no node %s", wf.name, suffix)
				lost++
			case suffix == ".onExit":
				if got := strings.TrimSpace(logsOf(t, ns, wf.name)); !strings.Contains(got, ".onExit: "+want) {
					t.Errorf("%s: exit handler printed %q, want %s", wf.name, got, want)
					lost++
				}
			case n.Outputs == nil || n.Outputs.Result == nil || *n.Outputs.Result != want:
				t.Errorf("%s: %s's result %+v, want %q", wf.name, suffix, n.Outputs, want)
				lost++
			}
		}
		for _, job := range jobsOf(t, cs, ns, wf.name) {
			pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "job-name=" + job})
			if err != nil {
				t.Fatal(err)
			}
			if len(pods.Items) != 1 {
				t.Errorf("%s: Job %s had %d pods", wf.name, job, len(pods.Items))
				duplicates++
			}
		}
	}
	cancel()
	mu.Lock()
	for name, set := range uids {
		if len(set) > 1 {
			t.Errorf("Job %s was created %d times", name, len(set))
			duplicates++
		}
	}
	mu.Unlock()
	line := fmt.Sprintf("chaos: seed=%d kills=%d workflows=%d duplicates=%d lost=%d", seed, kills.Load(), len(instances), duplicates, lost)
	fmt.Println(line)
	if kills.Load() < target {
		t.Errorf("only %d kills, want at least %d", kills.Load(), target)
	}
}

// driveWithKills runs `kubectl wf watch` on a workflow, killing it at
// random instants while the kills are below target, and starting another,
// until the workflow has ended. It reports false when it gave up.
func driveWithKills(t *testing.T, bin, kubeconfig, ns, name string, rng *rand.Rand, kills *atomic.Int64, target int64) bool {
	for {
		driver := exec.Command(bin, "watch", name, "--kubeconfig", kubeconfig, "-n", ns)
		if err := driver.Start(); err != nil {
			t.Error(err)
			return false
		}
		done := make(chan error, 1)
		go func() { done <- driver.Wait() }()
		killing := kills.Load() < target
		// 1 to 30 s: a new driver first waits up to 15 s for the dead
		// one's Lease to expire, so about half the kills hit a driver that
		// drives, the others one that waits.
		delay := time.Duration(1000+rng.IntN(29000)) * time.Millisecond
		if !killing {
			delay = 5 * time.Minute
		}
		select {
		case err := <-done:
			// A driver ends when the workflow has: check that it was
			// recorded so, or this driver quit early and another must go on.
			cs, _ := testcluster.Client(t)
			obj, getErr := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
			if getErr == nil && watch.Phase(obj.Annotations[watch.AnnotationPhase]).Fulfilled() {
				return true
			}
			t.Errorf("%s: the driver exited (%v) before the workflow ended (%v)", name, err, getErr)
			if getErr != nil {
				return false
			}
			continue
		case <-time.After(delay):
		}
		if !killing {
			t.Errorf("%s: not ended after 5 minutes", name)
			_ = driver.Process.Kill()
			return false
		}
		_ = driver.Process.Signal(syscall.SIGKILL)
		<-done
		kills.Add(1)
	}
}

func mustJSONString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
