package watch

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// cacheMap is a cache ConfigMap holding entries, labelled as Argo wants.
func cacheMap(entries map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns", Labels: map[string]string{labelConfigMapType: configMapTypeCache}},
		Data:       entries,
	}
}

// argoEntry is an entry as Argo writes it, created at `created`.
func argoEntry(created time.Time, value string) string {
	return `{"nodeID":"memoized-hdckj","outputs":{"parameters":[{"name":"hello","value":"` + value +
		`","valueFrom":{"path":"/tmp/hello_world.txt"}}],"exitCode":"0"},"creationTimestamp":"` +
		created.Format(time.RFC3339) + `","lastHitTimestamp":"` + created.Format(time.RFC3339) + `"}`
}

// TestDecideMemo: a lookup hits an entry of the key younger than maxAge,
// and misses otherwise; a ConfigMap Argo would refuse errs the node.
func TestDecideMemo(t *testing.T) {
	maxAge := 10 * time.Second
	now := t0.Add(500 * time.Millisecond)
	fresh, stale := argoEntry(t0.Add(-5*time.Second), "world"), argoEntry(t0.Add(-time.Minute), "world")
	hitOutputs := &Outputs{ExitCode: new("0"), Parameters: map[string]string{"hello": "world"}}
	unlabelled := cacheMap(map[string]string{"k": fresh})
	unlabelled.Labels = nil
	otherType := cacheMap(map[string]string{"k": fresh})
	otherType.Labels[labelConfigMapType] = "Parameter"
	for _, tc := range []struct {
		name   string
		cm     *corev1.ConfigMap
		maxAge *time.Duration
		want   MemoState
	}{
		{name: "no cache yet: miss", cm: nil, maxAge: &maxAge, want: MemoState{}},
		{name: "no entry of the key: miss", cm: cacheMap(map[string]string{"other": fresh}), maxAge: &maxAge, want: MemoState{}},
		{name: "an entry within maxAge: hit", cm: cacheMap(map[string]string{"k": fresh}), maxAge: &maxAge,
			want: MemoState{Hit: true, Outputs: hitOutputs}},
		{name: "an entry older than maxAge: miss", cm: cacheMap(map[string]string{"k": stale}), maxAge: &maxAge, want: MemoState{}},
		{name: "no maxAge: any entry hits", cm: cacheMap(map[string]string{"k": stale}), want: MemoState{Hit: true, Outputs: hitOutputs}},
		{name: "an entry without a node: miss", cm: cacheMap(map[string]string{"k": `{"outputs":{}}`}), want: MemoState{}},
		{name: "a malformed entry errs", cm: cacheMap(map[string]string{"k": "{"}),
			want: MemoState{Error: "malformed cache entry: could not unmarshal JSON; unable to parse: unexpected end of JSON input"}},
		{name: "an unlabelled ConfigMap is refused", cm: unlabelled,
			want: MemoState{Error: "memoization configmap doesn't have workflows.argoproj.io/configmap-type label, refusing to use it"}},
		{name: "another type of ConfigMap is refused", cm: otherType,
			want: MemoState{Error: "memoization configmap doesn't have label workflows.argoproj.io/configmap-type = Cache, refusing to use it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Key, tc.want.Cache, tc.want.DecidedAt = "k", "c", t0
			got := decideMemo(MemoLookup{Node: "n", Key: "k", Cache: "c", MaxAge: tc.maxAge}, tc.cm, now)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A memoized pod with a fixed output, and nothing after it.
const memoizedPodYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    memoize: {key: main-key, maxAge: 1h, cache: {configMap: {name: c}}}
    container: {image: busybox}
    outputs:
      parameters:
      - {name: out, value: fresh}
`

// memos reads the decisions recorded on the workflow object.
func memos(t *testing.T, cs *fake.Clientset) map[string]MemoState {
	t.Helper()
	obj, err := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "wf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]MemoState{}
	if raw := obj.Annotations[AnnotationMemos]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func readEntry(t *testing.T, cs *fake.Clientset, key string) (cacheEntry, *corev1.ConfigMap) {
	t.Helper()
	cm, err := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "c", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the cache: %v", err)
	}
	var e cacheEntry
	if err := json.Unmarshal([]byte(cm.Data[key]), &e); err != nil {
		t.Fatalf("entry %q of %v: %v", key, cm.Data, err)
	}
	return e, cm
}

// TestDriveMemoized drives a memoized workflow on a fake cluster: a miss
// runs the pod and saves its outputs in a new, labelled cache; a second
// workflow of the same key then hits, creating no Job.
func TestDriveMemoized(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, memoizedPodYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fakeKubelet(ctx, t, cs, "ns")
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("first run: %+v, %v", status, err)
	}
	id := compile.NodeID("wf", "wf")
	if n := countCreates(cs, "jobs"); n != 1 {
		t.Errorf("first run created %d Jobs, want 1", n)
	}
	if m := memos(t, cs)[id]; m.Hit || !m.Saved {
		t.Errorf("first run recorded %+v, want a miss, saved", m)
	}
	entry, cm := readEntry(t, cs, "main-key")
	if cm.Labels[labelConfigMapType] != configMapTypeCache || entry.NodeID != id {
		t.Errorf("cache %v, entry %+v: want it labelled as a cache, the entry naming node %s", cm.Labels, entry, id)
	}
	if diff := cmp.Diff(&wfv1.Outputs{ExitCode: new("0"), Result: new("fake logs"), Parameters: []wfv1.Parameter{{Name: "out", Value: wfv1.ParseAnyString("fresh")}}}, entry.Outputs); diff != "" {
		t.Errorf("cached outputs (-want +got):\n%s", diff)
	}

	// The same workflow again, from scratch, with another output: the
	// cache answers.
	if err := cs.CoreV1().ConfigMaps("ns").Delete(ctx, "wf", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, j := range mustList(t, cs) {
		_ = cs.BatchV1().Jobs("ns").Delete(ctx, j, metav1.DeleteOptions{})
	}
	_ = cs.CoordinationV1().Leases("ns").Delete(ctx, "wf", metav1.DeleteOptions{})
	createWorkflow(t, cs, memoizedPodYAML)
	cs.ClearActions()
	status, err = Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("second run: %+v, %v", status, err)
	}
	if n := countCreates(cs, "jobs"); n != 0 {
		t.Errorf("second run created %d Jobs, want none", n)
	}
	n := status.Nodes[id]
	if n.Memoization == nil || !n.Memoization.Hit || n.Outputs.Parameters["out"] != "fresh" {
		t.Errorf("second run's node: %+v with outputs %+v, want a hit with out=fresh", n.Memoization, n.Outputs)
	}
	touched := false
	for _, a := range cs.Actions() {
		if p, ok := a.(clienttesting.PatchAction); ok && p.GetResource().Resource == "configmaps" && p.GetName() == "c" {
			touched = strings.Contains(string(p.GetPatch()), "lastHitTimestamp")
		}
	}
	if again, _ := readEntry(t, cs, "main-key"); !touched || again.NodeID != id {
		t.Errorf("the hit patched the entry's lastHitTimestamp: %v; entry %+v", touched, again)
	}
}

func mustList(t *testing.T, cs *fake.Clientset) []string {
	t.Helper()
	jobs, err := cs.BatchV1().Jobs("ns").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range jobs.Items {
		names = append(names, j.Name)
	}
	return names
}

// TestDriveKeepsRecordedMemoDecision: a driver that takes over after the
// decision was recorded follows it, whatever the cache says now.
func TestDriveKeepsRecordedMemoDecision(t *testing.T) {
	id := compile.NodeID("wf", "wf")
	for _, tc := range []struct {
		name     string
		recorded MemoState
		cache    map[string]string // what the cache holds now
		jobs     int
		out      string
	}{{
		name:     "a recorded hit runs nothing, though the entry is gone",
		recorded: MemoState{Key: "main-key", Cache: "c", Hit: true, DecidedAt: t0, Outputs: &Outputs{Parameters: map[string]string{"out": "cached"}}},
		cache:    map[string]string{},
		jobs:     0,
		out:      "cached",
	}, {
		name:     "a recorded miss runs, though an entry appeared",
		recorded: MemoState{Key: "main-key", Cache: "c", DecidedAt: t0},
		cache:    map[string]string{"main-key": argoEntry(time.Now().Add(-time.Second), "other")},
		jobs:     1,
		out:      "fresh",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset()
			createWorkflow(t, cs, memoizedPodYAML)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			obj, _ := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
			if obj.Annotations == nil {
				obj.Annotations = map[string]string{}
			}
			obj.Annotations[AnnotationMemos] = mustJSON(map[string]MemoState{id: tc.recorded})
			if _, err := cs.CoreV1().ConfigMaps("ns").Update(ctx, obj, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := cs.CoreV1().ConfigMaps("ns").Create(ctx, cacheMap(tc.cache), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			fakeKubelet(ctx, t, cs, "ns")
			cs.ClearActions()
			status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "next"})
			if err != nil || status.Phase != Succeeded {
				t.Fatalf("%+v, %v", status, err)
			}
			if n := countCreates(cs, "jobs"); n != tc.jobs {
				t.Errorf("%d Jobs created, want %d", n, tc.jobs)
			}
			if got := status.Nodes[id].Outputs.Parameters["out"]; got != tc.out {
				t.Errorf("out = %q, want %q", got, tc.out)
			}
			if got := memos(t, cs)[id]; got.Hit != tc.recorded.Hit || got.DecidedAt != tc.recorded.DecidedAt {
				t.Errorf("decision now %+v, want the recorded one kept", got)
			}
		})
	}
}

// TestSaveMemoOnce: a save made before a crash is not made again; one
// into a ConfigMap Argo would refuse errs; a cache another writer created
// meanwhile is written into, keeping its entries.
func TestSaveMemoOnce(t *testing.T) {
	ctx := context.Background()
	save := MemoSave{Node: "wf-1", Key: "k", Cache: "c", DecidedAt: t0,
		Outputs: &wfv1.Outputs{Parameters: []wfv1.Parameter{{Name: "out", Value: wfv1.ParseAnyString("v")}}}}
	mine := mustJSON(cacheEntry{NodeID: "wf-1", Outputs: save.Outputs, CreationTimestamp: metav1.NewTime(t0.Add(time.Second))})
	older := mustJSON(cacheEntry{NodeID: "wf-1", Outputs: save.Outputs, CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour))})
	unlabelled := cacheMap(nil)
	unlabelled.Labels = nil
	for _, tc := range []struct {
		name    string
		cm      *corev1.ConfigMap
		wantErr string
		patches int
		keep    []string // keys besides k
	}{
		{name: "saved before the crash: not again", cm: cacheMap(map[string]string{"k": mine}), patches: 0},
		{name: "an older entry of the same node is replaced", cm: cacheMap(map[string]string{"k": older}), patches: 1},
		{name: "other keys are kept", cm: cacheMap(map[string]string{"other": older}), patches: 1, keep: []string{"other"}},
		{name: "an unlabelled ConfigMap is refused", cm: unlabelled,
			wantErr: "error creating cache entry: memoization configmap doesn't have workflows.argoproj.io/configmap-type label, refusing to use it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset(tc.cm)
			d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}}
			err := d.saveMemo(ctx, save, t0.Add(2*time.Second))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			patches := 0
			for _, a := range cs.Actions() {
				if a.GetVerb() == "patch" {
					patches++
				}
			}
			if patches != tc.patches {
				t.Errorf("%d patches, want %d", patches, tc.patches)
			}
			entry, cm := readEntry(t, cs, "k")
			if entry.NodeID != "wf-1" || entry.CreationTimestamp.Before(&metav1.Time{Time: t0}) {
				t.Errorf("entry %+v, want this node's, made since its lookup", entry)
			}
			for _, k := range tc.keep {
				if _, ok := cm.Data[k]; !ok {
					t.Errorf("key %q was lost: %v", k, cm.Data)
				}
			}
		})
	}
}

// TestRetryForgetsFailedMemoDecision: `retry` makes a memoized node that
// erred look its key up again; a driver then runs it through the cache
// as it is now.
func TestRetryForgetsFailedMemoDecision(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, memoizedPodYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	id := compile.NodeID("wf", "wf")
	// The cache was not labelled: the lookup erred the workflow.
	unlabelled := cacheMap(map[string]string{"main-key": argoEntry(time.Now(), "old")})
	unlabelled.Labels = nil
	if _, err := cs.CoreV1().ConfigMaps("ns").Create(ctx, unlabelled, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "first"})
	if err != nil || status.Phase != Error || memos(t, cs)[id].Error == "" {
		t.Fatalf("with an unlabelled cache: %+v, %v, decision %+v; want Error, recorded", status, err, memos(t, cs)[id])
	}
	// Someone labels it; retry, then drive again: the lookup is made anew.
	unlabelled.Labels = map[string]string{labelConfigMapType: configMapTypeCache}
	if _, err := cs.CoreV1().ConfigMaps("ns").Update(ctx, unlabelled, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Retry(ctx, cs, nil, "ns", "wf"); err != nil {
		t.Fatal(err)
	}
	if _, decided := memos(t, cs)[id]; decided {
		t.Fatalf("after retry the erred decision is still recorded: %+v", memos(t, cs)[id])
	}
	status, err = Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "second"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("after retry: %+v, %v", status, err)
	}
	if n := status.Nodes[id]; !n.Memoization.Hit || n.Outputs.Parameters["hello"] != "old" {
		t.Errorf("after retry: %+v with %+v, want a hit on the entry", n.Memoization, n.Outputs)
	}
}

// TestDecideMemosRecordsRefusal: the API refusing to read the cache errs
// the node, recorded; the apiserver being away decides nothing yet.
func TestDecideMemosRecordsRefusal(t *testing.T) {
	maxAge := time.Hour
	lookup := MemoLookup{Node: "wf-1", Key: "k", Cache: "c", MaxAge: &maxAge}
	for _, tc := range []struct {
		name      string
		err       error
		wantErr   bool
		wantState string
	}{
		{name: "forbidden", err: apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "c", errors.New("no")),
			wantState: `configmaps "c" is forbidden: no`},
		{name: "apiserver away", err: apierrors.NewServiceUnavailable("restarting"), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset()
			createWorkflow(t, cs, memoizedPodYAML)
			cs.PrependReactor("get", "configmaps", func(a clienttesting.Action) (bool, runtime.Object, error) {
				if a.(clienttesting.GetAction).GetName() == "c" {
					return true, nil, tc.err
				}
				return false, nil, nil
			})
			d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}, wake: make(chan struct{}, 1)}
			obj, _ := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "wf", metav1.GetOptions{})
			_, err := d.decideMemos(context.Background(), obj, map[string]MemoState{}, []MemoLookup{lookup}, t0)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want an error: %v", err, tc.wantErr)
			}
			got, decided := memos(t, cs)["wf-1"]
			if tc.wantErr {
				if decided {
					t.Errorf("decided %+v while the apiserver was away", got)
				}
				return
			}
			if got.Error != tc.wantState || got.Hit {
				t.Errorf("decision %+v, want the error %q recorded", got, tc.wantState)
			}
		})
	}
}

// TestMemoizeCrashAtEveryWrite stops the driver right after each of its
// writes in turn, then lets another driver finish: the memoized pod runs
// at most once, its outputs are saved, and the workflow Succeeds.
func TestMemoizeCrashAtEveryWrite(t *testing.T) {
	id := compile.NodeID("wf", "wf")
	for k := 1; ; k++ {
		cs := fake.NewClientset()
		createWorkflow(t, cs, memoizedPodYAML)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		fakeKubelet(ctx, t, cs, "ns")
		driverCtx, crash := context.WithCancel(ctx)
		writes := 0
		cs.PrependReactor("*", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
			switch a.GetVerb() {
			case "create", "update", "patch", "delete":
				if writes++; writes == k {
					crash() // once this write is done
				}
			}
			return false, nil, nil
		})
		status, err := Drive(driverCtx, cs, Config{Namespace: "ns", Name: "wf", Identity: "first"})
		finished := err == nil && writes < k
		if !finished {
			status, err = Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "second"})
		}
		if err != nil || status.Phase != Succeeded {
			t.Fatalf("crash after write %d: %+v, %v", k, status, err)
		}
		if jobs := mustList(t, cs); len(jobs) != 1 || countCreates(cs, "jobs") > 2 {
			t.Errorf("crash after write %d: Jobs %v, %d creations asked; want the one Job", k, jobs, countCreates(cs, "jobs"))
		}
		if m := memos(t, cs)[id]; m.Hit || !m.Saved {
			t.Errorf("crash after write %d: decision %+v, want a miss, saved", k, m)
		}
		if entry, _ := readEntry(t, cs, "main-key"); entry.NodeID != id || entry.Outputs == nil || len(entry.Outputs.Parameters) != 1 {
			t.Errorf("crash after write %d: entry %+v", k, entry)
		}
		cancel()
		if finished {
			t.Logf("crashed after each of %d writes", k-1)
			if k < 5 {
				t.Fatalf("the driver made only %d writes", k-1)
			}
			return
		}
	}
}
