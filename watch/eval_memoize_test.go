package watch

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// A memoized pod whose key is made of its input, and a step after it that
// uses its output.
const memoizeYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen, arguments: {parameters: [{name: day, value: "2024-06-01"}]}}
    - - {name: use, template: use, arguments: {parameters: [{name: v, value: "{{steps.gen.outputs.parameters.out}}"}]}}
  - name: gen
    inputs: {parameters: [{name: day}]}
    memoize:
      key: "gen-{{inputs.parameters.day}}"
      maxAge: 1h
      cache: {configMap: {name: gen-cache}}
    container: {image: busybox}
    outputs:
      parameters:
      - {name: out, value: "made {{inputs.parameters.day}}"}
  - name: use
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
`

// TestMemoizedNodeLifecycle follows the memoized node through the
// evaluations of a driver: lookup asked for, then (as recorded) a hit
// that runs nothing, or a miss that runs, is saved, and only then counts
// as Succeeded.
func TestMemoizedNodeLifecycle(t *testing.T) {
	w := workflow(t, memoizeYAML)
	gen := compile.NodeID("wf", "wf[0].gen")
	maxAge := time.Hour
	lookup := MemoLookup{Node: gen, Key: "gen-2024-06-01", Cache: "gen-cache", MaxAge: &maxAge}
	genJob := func(t *testing.T) string {
		_, a := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Memos: map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0}}, Now: t0})
		if len(a.Create) != 1 {
			t.Fatalf("a recorded miss creates %d Jobs, want 1", len(a.Create))
		}
		return a.Create[0].Job.Name
	}
	hitOutputs := &Outputs{Parameters: map[string]string{"out": "cached"}}
	for _, tc := range []struct {
		name     string
		memos    map[string]MemoState
		jobs     func(t *testing.T) map[string]PodResult
		phase    Phase // gen's
		memo     *MemoizationStatus
		lookups  []MemoLookup
		saves    []MemoSave
		creates  []string // nodes
		useInput string   // what `use` is given, once it starts
	}{{
		name:    "undecided: the lookup is asked for, nothing runs",
		phase:   Pending,
		lookups: []MemoLookup{lookup},
	}, {
		name:     "hit: Succeeded with the cached outputs, no pod",
		memos:    map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", Hit: true, DecidedAt: t0, Outputs: hitOutputs}},
		phase:    Succeeded,
		memo:     &MemoizationStatus{Hit: true, Key: "gen-2024-06-01", CacheName: "gen-cache"},
		creates:  []string{"wf[1].use"},
		useInput: "cached",
	}, {
		name:    "miss: the pod runs",
		memos:   map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0}},
		phase:   Pending,
		memo:    &MemoizationStatus{Key: "gen-2024-06-01", CacheName: "gen-cache"},
		creates: []string{"wf[0].gen"},
	}, {
		name:  "miss that succeeded: saved before it counts as Succeeded",
		memos: map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0}},
		jobs:  func(t *testing.T) map[string]PodResult { return map[string]PodResult{genJob(t): succeed("")} },
		phase: Running,
		memo:  &MemoizationStatus{Key: "gen-2024-06-01", CacheName: "gen-cache"},
		saves: []MemoSave{{Node: gen, Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0, Outputs: &wfv1.Outputs{
			Result: new(""), ExitCode: new("0"), Parameters: []wfv1.Parameter{{Name: "out", Value: wfv1.ParseAnyString("made 2024-06-01")}}}}},
	}, {
		name:     "miss saved: Succeeded, what follows starts",
		memos:    map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0, Saved: true}},
		jobs:     func(t *testing.T) map[string]PodResult { return map[string]PodResult{genJob(t): succeed("")} },
		phase:    Succeeded,
		memo:     &MemoizationStatus{Key: "gen-2024-06-01", CacheName: "gen-cache"},
		creates:  []string{"wf[1].use"},
		useInput: "made 2024-06-01",
	}, {
		name:  "miss that failed: nothing saved",
		memos: map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0}},
		jobs:  func(t *testing.T) map[string]PodResult { return map[string]PodResult{genJob(t): exitWith(1)} },
		phase: Failed,
		memo:  &MemoizationStatus{Key: "gen-2024-06-01", CacheName: "gen-cache"},
	}, {
		name:  "the save failed: the node errs, as in Argo",
		memos: map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0, SaveError: "error creating cache entry: no"}},
		jobs:  func(t *testing.T) map[string]PodResult { return map[string]PodResult{genJob(t): succeed("")} },
		phase: Error,
		memo:  &MemoizationStatus{Key: "gen-2024-06-01", CacheName: "gen-cache"},
	}, {
		name:  "the cache could not be read: the node errs",
		memos: map[string]MemoState{gen: {Key: "gen-2024-06-01", Cache: "gen-cache", DecidedAt: t0, Error: "refusing to use it"}},
		phase: Error,
		memo:  &MemoizationStatus{Key: "gen-2024-06-01", CacheName: "gen-cache"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			jobs := map[string]PodResult{}
			if tc.jobs != nil {
				jobs = tc.jobs(t)
			}
			status, a := Evaluate(w, Observed{Jobs: jobs, Memos: tc.memos, Now: t0.Add(time.Minute)})
			n := status.Nodes[gen]
			if n.Phase != tc.phase {
				t.Errorf("gen is %s (%s), want %s", n.Phase, n.Message, tc.phase)
			}
			if diff := cmp.Diff(tc.memo, n.Memoization); diff != "" {
				t.Errorf("memoizationStatus (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.lookups, a.DecideMemos); diff != "" {
				t.Errorf("lookups (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.saves, a.SaveMemos); diff != "" {
				t.Errorf("saves (-want +got):\n%s", diff)
			}
			var creates []string
			for _, c := range a.Create {
				creates = append(creates, c.Node)
				if c.Node == "wf[1].use" {
					if got := c.Job.Spec.Template.Spec.Containers[0].Command[1]; got != tc.useInput {
						t.Errorf("use is given %q, want %q", got, tc.useInput)
					}
				}
			}
			if diff := cmp.Diff(tc.creates, creates); diff != "" {
				t.Errorf("Jobs created (-want +got):\n%s", diff)
			}
			if tc.memo != nil && tc.memo.Hit && (n.StartedAt == nil || !n.StartedAt.Equal(t0) || n.Job != "") {
				t.Errorf("a hit starts and ends when decided and has no Job: %+v", n)
			}
		})
	}
}

// TestMemoizeLookupErrors: a key or maxAge Argo cannot use errs the node
// without a lookup, with Argo's message.
func TestMemoizeLookupErrors(t *testing.T) {
	for _, tc := range []struct{ key, maxAge, want string }{
		{key: "a.b", maxAge: "1h", want: "invalid cache key: a.b"},
		{key: "-a", maxAge: "1h", want: "invalid cache key: -a"},
		{key: "ok", maxAge: "10", want: `invalid maxAge: time: missing unit in duration "10"`},
	} {
		src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    memoize: {key: "` + tc.key + `", maxAge: "` + tc.maxAge + `", cache: {configMap: {name: c}}}
    container: {image: busybox}
`
		status, a := Evaluate(workflow(t, src), Observed{Jobs: map[string]PodResult{}, Now: t0})
		if status.Phase != Error || status.Message != tc.want || len(a.DecideMemos)+len(a.Create) != 0 {
			t.Errorf("key %q, maxAge %q: %s %q with %d lookups, %d Jobs; want Error %q and nothing done",
				tc.key, tc.maxAge, status.Phase, status.Message, len(a.DecideMemos), len(a.Create), tc.want)
		}
	}
}

// TestMemoizedAndSynchronized: as in Argo, the lookup is made once the
// node holds its lock, and a hit releases it.
func TestMemoizedAndSynchronized(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    synchronization: {mutex: {name: m}}
    memoize: {key: k, cache: {configMap: {name: c}}}
    container: {image: busybox}
`)
	id := compile.NodeID("wf", "wf")
	_, a := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Namespace: "ns", Now: t0})
	if len(a.AcquireLocks) != 1 || len(a.DecideMemos) != 0 {
		t.Fatalf("without its lock: %d lock requests, %d lookups; want the lock asked for first", len(a.AcquireLocks), len(a.DecideMemos))
	}
	held := map[string][]string{id: {"ns/Mutex/m"}}
	_, a = Evaluate(w, Observed{Jobs: map[string]PodResult{}, Namespace: "ns", Locks: held, Now: t0})
	if len(a.DecideMemos) != 1 {
		t.Fatalf("holding its lock: %d lookups, want 1", len(a.DecideMemos))
	}
	hit := map[string]MemoState{id: {Key: "k", Cache: "c", Hit: true, DecidedAt: t0, Outputs: &Outputs{}}}
	status, a := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Namespace: "ns", Locks: held, Memos: hit, Now: t0})
	if status.Phase != Succeeded || len(a.ReleaseLocks) != 1 || len(a.Create) != 0 {
		t.Errorf("a hit: %s, %d releases, %d Jobs; want Succeeded, its lock released, no Job", status.Phase, len(a.ReleaseLocks), len(a.Create))
	}
	// Once released, the hit stands.
	if status, _ = Evaluate(w, Observed{Jobs: map[string]PodResult{}, Namespace: "ns", Memos: hit, Now: t0}); status.Phase != Succeeded {
		t.Errorf("after the release: %s, want Succeeded", status.Phase)
	}
}

// TestMemoizedSteps: a steps template is memoized as a whole, as in Argo:
// a hit gets no children; a miss runs them, and saves the template's
// outputs once they all succeeded.
func TestMemoizedSteps(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    memoize: {key: main, cache: {configMap: {name: c}}}
    steps:
    - - {name: a, template: a}
    outputs:
      parameters:
      - {name: out, valueFrom: {parameter: "{{steps.a.outputs.result}}"}}
  - name: a
    script: {image: busybox, source: echo hi}
`)
	id := compile.NodeID("wf", "wf")
	hit := map[string]MemoState{id: {Key: "main", Cache: "c", Hit: true, DecidedAt: t0, Outputs: &Outputs{Parameters: map[string]string{"out": "cached"}}}}
	status, a := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Memos: hit, Now: t0})
	if n := status.Nodes[id]; status.Phase != Succeeded || len(n.Children) != 0 || len(a.Create) != 0 || n.Outputs.Parameters["out"] != "cached" {
		t.Errorf("a hit: %s with children %v, %d Jobs, outputs %+v; want Succeeded, none, none, out=cached", status.Phase, n.Children, len(a.Create), n.Outputs)
	}
	miss := map[string]MemoState{id: {Key: "main", Cache: "c", DecidedAt: t0}}
	_, a = Evaluate(w, Observed{Jobs: map[string]PodResult{}, Memos: miss, Now: t0})
	if len(a.Create) != 1 {
		t.Fatalf("a miss creates %d Jobs, want its step's", len(a.Create))
	}
	jobs := map[string]PodResult{a.Create[0].Job.Name: succeed("hi")}
	status, a = Evaluate(w, Observed{Jobs: jobs, Memos: miss, Now: t0})
	want := []MemoSave{{Node: id, Key: "main", Cache: "c", DecidedAt: t0,
		Outputs: &wfv1.Outputs{Parameters: []wfv1.Parameter{{Name: "out", Value: wfv1.ParseAnyString("hi"), ValueFrom: &wfv1.ValueFrom{Parameter: "{{steps.a.outputs.result}}"}}}}}}
	if diff := cmp.Diff(want, a.SaveMemos); status.Phase != Running || diff != "" {
		t.Errorf("the steps done: %s, saves (-want +got):\n%s", status.Phase, diff)
	}
}
