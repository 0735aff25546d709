package watch

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// lockTable is a cluster's locks, as the driver keeps them in Leases.
type lockTable struct {
	limits  map[string]int      // by key; 1 when absent (a mutex)
	holders map[string][]string // node IDs, by key
}

// acquire grants each request all its locks, in order, while slots are
// free, as the driver does.
func (lt *lockTable) acquire(requests []LockRequest) {
	for _, r := range requests {
		for _, l := range r.locks {
			if slices.Contains(lt.holders[l.key], r.Node) {
				continue
			}
			limit, ok := lt.limits[l.key]
			if !ok {
				limit = 1
			}
			if len(lt.holders[l.key]) >= limit {
				break
			}
			lt.holders[l.key] = append(lt.holders[l.key], r.Node)
		}
	}
}

func (lt *lockTable) release(nodes []string) {
	for key, holders := range lt.holders {
		lt.holders[key] = slices.DeleteFunc(holders, func(id string) bool { return slices.Contains(nodes, id) })
	}
}

func (lt *lockTable) held() map[string][]string {
	out := map[string][]string{}
	for key, holders := range lt.holders {
		for _, id := range holders {
			out[id] = append(out[id], key)
		}
	}
	return out
}

// simulateLocks runs a workflow whose pods succeed at the evaluation after
// their Job is created, with locks granted as the driver grants them. It
// returns the rounds of Job creations and the lock table at the end.
func simulateLocks(t *testing.T, src string, limits map[string]int) ([][]string, *lockTable) {
	t.Helper()
	w := workflow(t, src)
	lt := &lockTable{limits: limits, holders: map[string][]string{}}
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Namespace: "ns", Now: t0}
	var rounds [][]string
	for range 100 {
		obs.Locks = lt.held()
		status, actions := Evaluate(w, obs)
		lt.release(actions.ReleaseLocks)
		lt.acquire(actions.AcquireLocks)
		if status.Phase.Fulfilled() {
			if status.Phase != Succeeded {
				t.Fatalf("workflow %s: %s", status.Phase, status.Message)
			}
			return rounds, lt
		}
		// Pods created now have ended by the next evaluation.
		var round []string
		for _, c := range actions.Create {
			round = append(round, c.Node)
			start := obs.Now
			r := succeed("")
			r.StartedAt = &start
			obs.Jobs[c.Job.Name] = r
		}
		slices.Sort(round)
		if len(round) > 0 {
			rounds = append(rounds, round)
		}
		obs.Now = obs.Now.Add(1e9)
	}
	t.Fatal("workflow did not end in 100 evaluations")
	return nil, nil
}

const mutexItemsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: s, template: locked, withItems: [a, b, c]}
  - name: locked
    synchronization:
      mutexes: [{name: welcome}]
    container: {image: busybox}
`

const semaphoreItemsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: s, template: locked, withItems: [a, b, c]}
  - name: locked
    synchronization:
      semaphores: [{configMapKeyRef: {name: my-config, key: template}}]
    container: {image: busybox}
`

// A steps template that holds a mutex holds it for all its steps: a
// second call waits until the first has ended.
const mutexStepsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: x, template: pair}
      - {name: y, template: pair}
  - name: pair
    synchronization:
      mutex: {name: "{{workflow.name}}-pair"}
    steps:
    - - {name: one, template: run}
    - - {name: two, template: run}
  - name: run
    container: {image: busybox}
`

func TestTemplateLocks(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		limits    map[string]int
		rounds    [][]string
	}{{
		name:   "mutex: one item at a time",
		src:    mutexItemsYAML,
		rounds: [][]string{{"wf[0].s(0:a)"}, {"wf[0].s(1:b)"}, {"wf[0].s(2:c)"}},
	}, {
		name:   "semaphore of 2: two items at a time",
		src:    semaphoreItemsYAML,
		limits: map[string]int{"ns/ConfigMap/my-config/template": 2},
		rounds: [][]string{{"wf[0].s(0:a)", "wf[0].s(1:b)"}, {"wf[0].s(2:c)"}},
	}, {
		name:   "steps template: held from its first step to its last",
		src:    mutexStepsYAML,
		rounds: [][]string{{"wf[0].x[0].one"}, {"wf[0].x[1].two"}, {"wf[0].y[0].one"}, {"wf[0].y[1].two"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			rounds, lt := simulateLocks(t, tc.src, tc.limits)
			if diff := cmp.Diff(tc.rounds, rounds); diff != "" {
				t.Errorf("rounds of Job creations (-want +got):\n%s", diff)
			}
			if held := lt.held(); len(held) != 0 {
				t.Errorf("locks still held at the end: %v", held)
			}
		})
	}
}

// TestWaitingForLock: a node that does not hold its lock is Pending and
// asks for it, named as Argo names it, with variables substituted; under
// a shutdown it fails instead.
func TestWaitingForLock(t *testing.T) {
	w := workflow(t, mutexStepsYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Namespace: "ns", Now: t0}
	status, actions := Evaluate(w, obs)
	var asked []string
	for _, r := range actions.AcquireLocks {
		for _, l := range r.locks {
			asked = append(asked, status.Nodes[r.Node].Name+" "+l.key)
		}
	}
	if diff := cmp.Diff([]string{"wf[0].x ns/Mutex/wf-pair", "wf[0].y ns/Mutex/wf-pair"}, asked); diff != "" {
		t.Errorf("locks asked for (-want +got):\n%s", diff)
	}
	if len(actions.Create) != 0 {
		t.Errorf("created %d Jobs without their locks", len(actions.Create))
	}
	for _, r := range actions.AcquireLocks {
		if n := status.Nodes[r.Node]; n.Phase != Pending || len(n.Children) != 0 {
			t.Errorf("%s: %s with %d children, want Pending with none", n.Name, n.Phase, len(n.Children))
		}
	}

	obs.Shutdown = Stop
	status, actions = Evaluate(w, obs)
	if len(actions.AcquireLocks) != 0 {
		t.Errorf("asked for locks under a shutdown: %d", len(actions.AcquireLocks))
	}
	if n := status.Nodes[compile.NodeID("wf", "wf[0].x")]; n.Phase != Failed || n.Message != "Stopped with strategy 'Stop'" {
		t.Errorf("wf[0].x under Stop: %s %q", n.Phase, n.Message)
	}
}

// TestStartedNodeGoesOnWithoutItsLocks: a node found started in the
// cluster ran under its locks; once they are gone (released by a driver
// that then died) it is still followed to its end, and asks for nothing.
func TestStartedNodeGoesOnWithoutItsLocks(t *testing.T) {
	w := workflow(t, mutexItemsYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Namespace: "ns", Now: t0}
	_, actions := Evaluate(w, obs)
	first := actions.AcquireLocks[0].Node
	obs.Locks = map[string][]string{first: {"ns/Mutex/welcome"}}
	_, actions = Evaluate(w, obs)
	if len(actions.Create) != 1 {
		t.Fatalf("created %d Jobs, want the one holding the lock", len(actions.Create))
	}
	obs.Jobs[actions.Create[0].Job.Name] = succeed("")
	status, actions := Evaluate(w, obs)
	if n := status.Nodes[first]; n.Phase != Succeeded || !slices.Equal(actions.ReleaseLocks, []string{first}) {
		t.Fatalf("ended holder: %s, releases %v", n.Phase, actions.ReleaseLocks)
	}
	obs.Locks = nil // released
	status, actions = Evaluate(w, obs)
	if n := status.Nodes[first]; n.Phase != Succeeded || len(actions.ReleaseLocks) != 0 {
		t.Errorf("after release: %s, releases %v", n.Phase, actions.ReleaseLocks)
	}
	if len(actions.AcquireLocks) != 2 || slices.ContainsFunc(actions.AcquireLocks, func(r LockRequest) bool { return r.Node == first }) {
		t.Errorf("asked for locks: %v, want the two other items only", actions.AcquireLocks)
	}
}

// TestLocksWaitForParallelism: under parallelism 1, only the node that
// may start asks for its lock; the other takes none while it waits for a
// slot, as Argo checks parallelism before it takes locks.
func TestLocksWaitForParallelism(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    parallelism: 1
    steps:
    - - {name: a, template: locked, withItems: ["0", "1"], arguments: {parameters: [{name: n, value: "{{item}}"}]}}
  - name: locked
    inputs: {parameters: [{name: n}]}
    synchronization: {mutexes: [{name: "m-{{inputs.parameters.n}}"}]}
    container: {image: busybox}
`)
	_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Namespace: "ns", Now: t0})
	var asked []string
	for _, r := range actions.AcquireLocks {
		asked = append(asked, r.Node)
	}
	want := []string{compile.NodeID("wf", "wf[0].a(0:0)")}
	if d := cmp.Diff(want, asked); d != "" {
		t.Errorf("nodes asking for locks (-want +got):\n%s", d)
	}
}
