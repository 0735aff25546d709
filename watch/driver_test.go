package watch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// fakeKubelet answers every Job the driver creates with a pod whose main
// container exits 0, as the Job controller and the kubelet would.
func fakeKubelet(ctx context.Context, t *testing.T, cs *fake.Clientset, ns string) {
	w, err := cs.BatchV1().Jobs(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Error(err)
		return
	}
	go func() {
		defer w.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-w.ResultChan():
				job, ok := ev.Object.(*batchv1.Job)
				if !ok || ev.Type != apiwatch.Added {
					continue
				}
				now := metav1.Now()
				pod := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Name: job.Name + "-pod", Namespace: ns, CreationTimestamp: now,
						Labels: map[string]string{labelJobName: job.Name, compile.LabelWorkflow: job.Labels[compile.LabelWorkflow]}},
					Status: corev1.PodStatus{Phase: corev1.PodSucceeded, StartTime: &now, ContainerStatuses: []corev1.ContainerStatus{{
						Name: "main", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, FinishedAt: now}}}}},
				}
				if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil && ctx.Err() == nil {
					t.Errorf("creating pod: %v", err)
				}
			}
		}
	}()
}

func createWorkflow(t *testing.T, cs *fake.Clientset, src string) *compile.Workflow {
	t.Helper()
	w := workflow(t, src)
	obj, err := w.WorkflowObject()
	if err != nil {
		t.Fatal(err)
	}
	obj.UID = "uid-1"
	if _, err := cs.CoreV1().ConfigMaps("ns").Create(context.Background(), obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return w
}

func countCreates(cs *fake.Clientset, resource string) int {
	n := 0
	for _, a := range cs.Actions() {
		if a.GetVerb() == "create" && a.GetResource().Resource == resource {
			n++
		}
	}
	return n
}

func TestDriveRecordsAndFinishes(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, stepsYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fakeKubelet(ctx, t, cs, "ns")
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if status.Phase != Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", status.Phase, status.Message)
	}
	if n := countCreates(cs, "jobs"); n != 4 {
		t.Errorf("%d Jobs created, want 4", n)
	}
	jobs, _ := cs.BatchV1().Jobs("ns").List(ctx, metav1.ListOptions{})
	for _, j := range jobs.Items {
		if r, ok := recordedResult(&j); !ok || r.Phase != Succeeded {
			t.Errorf("Job %s: recorded result %+v, %v", j.Name, r, ok)
		}
		if len(j.OwnerReferences) != 1 || j.OwnerReferences[0].UID != "uid-1" {
			t.Errorf("Job %s is not owned by the workflow object: %+v", j.Name, j.OwnerReferences)
		}
	}
	obj, _ := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
	if obj.Annotations[AnnotationPhase] != "Succeeded" || obj.Annotations[AnnotationProgress] != "4/4" || obj.Annotations[AnnotationFinishedAt] == "" {
		t.Errorf("workflow object annotations = %v", obj.Annotations)
	}
}

// TestDriveAfterACrashAdopts: a driver that died after creating a Job
// (and without releasing its Lease) is followed by one that takes over
// once the Lease expires, adopts the Job, and creates no Job twice.
func TestDriveAfterACrashAdopts(t *testing.T) {
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, stepsYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// What the dead driver left: the first Job, and a Lease it held.
	_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: time.Now()})
	if _, err := cs.BatchV1().Jobs("ns").Create(ctx, actions.Create[0].Job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dead := &lease{cs: cs, namespace: "ns", name: "wf", identity: "dead"}
	if err := dead.acquire(ctx, time.Now().Add(-LeaseDuration-time.Second)); err != nil {
		t.Fatal(err)
	}
	// Jobs made from now on get pods; the adopted one gets its pod too.
	fakeKubelet(ctx, t, cs, "ns")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "first-pod", Namespace: "ns",
		Labels: map[string]string{labelJobName: actions.Create[0].Job.Name, compile.LabelWorkflow: "wf"}},
		Status: corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{{Name: "main",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{}}}}}}
	if _, err := cs.CoreV1().Pods("ns").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cs.ClearActions()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "next"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive after the crash: %v, %v", status, err)
	}
	if n := countCreates(cs, "jobs"); n != 3 {
		t.Errorf("%d Jobs created after the crash, want the 3 the dead driver had not made", n)
	}
}

// TestDriveAfterACrashBeforeTheResultLanded: a driver creates what
// follows a pod's end while that pod's result is still being written on
// its Job (resultWrites). One that died in that window left the next
// steps' Jobs but no result; the driver after it reads the result from
// the pod again, records it, and creates only what was never created.
func TestDriveAfterACrashBeforeTheResultLanded(t *testing.T) {
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, stepsYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	now := time.Now()
	_, first := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: now})
	gen := first.Create[0].Job
	// The fake apiserver's log of every pod is "fake logs".
	out := "fake logs"
	_, next := Evaluate(w, Observed{Jobs: map[string]PodResult{gen.Name: {Phase: Succeeded, ExitCode: ptr.To[int32](0), Result: &out}}, Now: now})
	if len(next.Create) != 2 {
		t.Fatalf("after gen, %d Jobs to create, want a and b", len(next.Create))
	}
	for _, c := range append(first.Create, next.Create...) {
		if _, err := cs.BatchV1().Jobs("ns").Create(ctx, c.Job, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	dead := &lease{cs: cs, namespace: "ns", name: "wf", identity: "dead"}
	if err := dead.acquire(ctx, now.Add(-LeaseDuration-time.Second)); err != nil {
		t.Fatal(err)
	}
	// The kubelet ends each pod of those Jobs, as it did gen's.
	fakeKubelet(ctx, t, cs, "ns")
	cs.ClearActions()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "next"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive after the crash: %v, %v", status, err)
	}
	if n := countCreates(cs, "jobs"); n != 1 {
		t.Errorf("%d Jobs created after the crash, want 1 (c)", n)
	}
	job, err := cs.BatchV1().Jobs("ns").Get(ctx, gen.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := recordedResult(job); !ok || r.Result == nil || *r.Result != out {
		t.Errorf("gen's recorded result = %+v (recorded: %v), want its output %q", r, ok, out)
	}
}

func TestSecondDriverIsRefused(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, stepsYAML)
	holder := &lease{cs: cs, namespace: "ns", name: "wf", identity: "first"}
	if err := holder.acquire(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err := Drive(context.Background(), cs, Config{Namespace: "ns", Name: "wf", Identity: "second"})
	var held *HeldError
	if !errors.As(err, &held) || held.Holder != "first" {
		t.Errorf("second driver: %v, want a HeldError naming first", err)
	}
}

// TestStatusWriteRetriesConflicts: another writer changing the workflow
// object between read and write makes the patch conflict; it is retried on
// a fresh copy and nothing is lost.
func TestStatusWriteRetriesConflicts(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, stepsYAML)
	conflicts := 0
	cs.PrependReactor("patch", "configmaps", func(a clienttesting.Action) (bool, runtime.Object, error) {
		if conflicts < 2 {
			conflicts++
			return true, nil, newConflict()
		}
		return false, nil, nil
	})
	d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}}
	obj, _ := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "wf", metav1.GetOptions{})
	updated, err := d.annotate(context.Background(), obj, map[string]string{AnnotationPhase: "Running"})
	if err != nil || updated.Annotations[AnnotationPhase] != "Running" {
		t.Fatalf("annotate after %d conflicts: %v, %v", conflicts, updated, err)
	}
	if conflicts != 2 {
		t.Errorf("%d conflicts seen, want 2", conflicts)
	}
}

func newConflict() error {
	return apierrors.NewConflict(schema.GroupResource{Resource: "configmaps"}, "wf", errors.New("modified"))
}

// TestCreateAllSortsErrors: the API's refusal of a Job is recorded as its
// node's failure; a transient error is retried, not recorded.
func TestCreateAllSortsErrors(t *testing.T) {
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, stepsYAML)
	obj, _ := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "wf", metav1.GetOptions{})
	_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: time.Now()})
	gen := actions.Create[0]
	other := gen
	other.Job = gen.Job.DeepCopy()
	other.Job.Name = "quota-exceeded"
	busy := 0
	cs.PrependReactor("create", "jobs", func(a clienttesting.Action) (bool, runtime.Object, error) {
		name := a.(clienttesting.CreateAction).GetObject().(*batchv1.Job).Name
		switch {
		case name == "quota-exceeded":
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "batch", Resource: "jobs"}, name, errors.New("exceeded quota"))
		case name == "cancelled":
			return true, nil, context.Canceled
		case busy < 2:
			busy++
			return true, nil, apierrors.NewTooManyRequests("slow down", 0)
		}
		return false, nil, nil
	})
	d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}}
	refused, err := d.createAll(context.Background(), obj, []PodToCreate{gen, other})
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 1 || !strings.Contains(refused["quota-exceeded"], "exceeded quota") {
		t.Errorf("refused = %v, want only quota-exceeded with the API's message", refused)
	}
	if busy != 2 || !d.created[gen.Job.Name] {
		t.Errorf("the throttled create was tried %d times and created=%v; want it retried until made", busy, d.created)
	}
	// The fake ignores contexts: the reactor answers as the client would.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	third := gen
	third.Job = gen.Job.DeepCopy()
	third.Job.Name = "cancelled"
	if refused, err := d.createAll(ctx, obj, []PodToCreate{third}); err == nil || len(refused) != 0 {
		t.Errorf("with the context ended: refused %v, err %v; want the error returned, nothing recorded", refused, err)
	}
}

// TestCreateAllLetsGoOfSentObjects: createAll creates every Job and keeps
// none of the objects it was given once sent.
func TestCreateAllLetsGoOfSentObjects(t *testing.T) {
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, stepsYAML)
	_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: t0})
	if len(actions.Create) == 0 {
		t.Fatal("nothing to create")
	}
	names := map[string]bool{}
	for _, c := range actions.Create {
		names[c.Job.Name] = true
	}
	d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}}
	obj, err := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "wf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	refused, err := d.createAll(context.Background(), obj, actions.Create)
	if err != nil || len(refused) > 0 {
		t.Fatalf("createAll: %v, refused %v", err, refused)
	}
	for i, c := range actions.Create {
		if c.Job != nil || c.Script != nil {
			t.Errorf("create %d (%s) still holds its objects", i, c.Node)
		}
	}
	for name := range names {
		if _, err := cs.BatchV1().Jobs("ns").Get(context.Background(), name, metav1.GetOptions{}); err != nil {
			t.Errorf("Job %s: %v", name, err)
		}
		if !d.created[name] {
			t.Errorf("Job %s not counted as created", name)
		}
	}
}
