package watch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// childYAML is a parent whose one node starts a child workflow and waits
// for it; the child's own node is a resource template, which the fake
// cluster can run (it has no kubelet). CHILD_TEMPLATE is the child's.
const childYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    resource:
      action: create
      setOwnerReference: true
      successCondition: status.phase == Succeeded
      failureCondition: status.phase in (Failed, Error)
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: kid-, labels: {team: a}}
        spec:
          entrypoint: main
          templates:
          - name: main
            resource:
              action: CHILD_ACTION
              manifest: |
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: made}
    outputs:
      parameters:
      - name: child
        valueFrom: {jsonPath: '{.metadata.name}'}
      - name: team
        valueFrom: {jsonPath: '{.metadata.labels.team}'}
`

func childWorkflows(t *testing.T, cs *fake.Clientset) []corev1.ConfigMap {
	t.Helper()
	list, err := cs.CoreV1().ConfigMaps("ns").List(context.Background(), metav1.ListOptions{
		LabelSelector: compile.LabelCreatedByWorkflow + "=uid-1," + compile.LabelRole + "=" + compile.RoleWorkflow})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// TestDriveChildWorkflow: the parent creates the child's workflow object,
// owned by its own, drives it in the same process, and its node ends as
// the child's phase meets a condition.
func TestDriveChildWorkflow(t *testing.T) {
	for _, tc := range []struct {
		action  string
		phase   Phase
		message string
	}{
		{"create", Succeeded, ""},
		// get of an object that does not exist fails the child.
		{"get", Failed, "failure condition 'status.phase in (Error,Failed)' evaluated true"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			cs := fake.NewClientset()
			createWorkflow(t, cs, strings.Replace(childYAML, "CHILD_ACTION", tc.action, 1))
			res, _ := fakeResources()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var ended []string
			status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test", Resources: res,
				OnChild: func(_, name string, s *Status, err error) { ended = append(ended, fmt.Sprint(name, s.Phase, err)) }})
			if err != nil {
				t.Fatal(err)
			}
			kids := childWorkflows(t, cs)
			if len(kids) != 1 {
				t.Fatalf("%d child workflows, want 1", len(kids))
			}
			kid := kids[0]
			if got := Phase(kid.Annotations[AnnotationPhase]); got != tc.phase {
				t.Errorf("child %s ended %s, want %s", kid.Name, got, tc.phase)
			}
			if want := []string{fmt.Sprint(kid.Name, tc.phase, nil)}; !cmp.Equal(ended, want) {
				t.Errorf("OnChild told %q, want %q", ended, want)
			}
			if refs := kid.OwnerReferences; len(refs) != 1 || refs[0].UID != "uid-1" {
				t.Errorf("child's owner references %+v, want the parent's workflow object", refs)
			}
			node := status.Nodes[compile.NodeID("wf", "wf")]
			if status.Phase != tc.phase || node.Message != tc.message {
				t.Errorf("parent %s, node %q; want %s, %q", status.Phase, node.Message, tc.phase, tc.message)
			}
			if tc.phase == Succeeded {
				if want := map[string]string{"child": kid.Name, "team": "a"}; !cmp.Equal(node.Outputs.Parameters, want) {
					t.Errorf("outputs %v, want %v", node.Outputs.Parameters, want)
				}
			}
		})
	}
}

// TestChildFoundAfterCrash: a driver that created a child but died before
// recording it is followed by one that finds that child by its labels.
func TestChildFoundAfterCrash(t *testing.T) {
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, strings.Replace(childYAML, "CHILD_ACTION", "create", 1))
	parent, err := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "wf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := compile.NewResourceAction(w.Spec.Templates[0].Resource)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var names []string
	for range 2 {
		// A new driver each time, as after a crash; the driving of the
		// child each starts ends with ctx.
		d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}, wake: make(chan struct{}, 1)}
		view, err := d.actOnWorkflow(ctx, parent, "wf", a, w.Spec.Templates[0].Resource.Manifest)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, view.GetName())
	}
	cancel()
	if names[0] != names[1] || len(childWorkflows(t, cs)) != 1 {
		t.Errorf("children %v, %d objects; want one child found again", names, len(childWorkflows(t, cs)))
	}
}

// TestInvalidChildCreatesNothing: a child the lint refuses is its node's
// error, and no object is made.
func TestInvalidChildCreatesNothing(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, strings.Replace(strings.Replace(childYAML, "CHILD_ACTION", "create", 1), "entrypoint: main\n          templates", "entrypoint: \"{{workflow.name}}\"\n          templates", 1))
	res, _ := fakeResources()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test", Resources: res})
	if err != nil {
		t.Fatal(err)
	}
	node := status.Nodes[compile.NodeID("wf", "wf")]
	if status.Phase != Failed || !strings.Contains(node.Message, "the Workflow it creates is not valid: manifest:") {
		t.Errorf("parent %s, node %q; want Failed naming the child's problem", status.Phase, node.Message)
	}
	if n := len(childWorkflows(t, cs)); n != 0 {
		t.Errorf("%d child workflows made, want none", n)
	}
}

// TestDriverFinishesAnEarlierDriversChild: a child an earlier driver
// started and recorded, then left (it was killed), is driven to its end
// by the next driver of the parent.
func TestDriverFinishesAnEarlierDriversChild(t *testing.T) {
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, strings.Replace(childYAML, "CHILD_ACTION", "create", 1))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	docs, diags := compile.ParseFile("manifest", []byte(w.Spec.Templates[0].Resource.Manifest))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	parent, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, kid, err := create(ctx, cs, docs[0], compile.Options{Namespace: "ns"}, false, &metav1.ObjectMeta{Labels: childLabels(parent, "wf")})
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]ResourceState{"wf": {Phase: Running, StartedAt: time.Now(),
		Object: &ObjectRef{APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow", Namespace: "ns", Name: kid.Name}}}
	parent.Annotations = map[string]string{AnnotationResources: mustJSON(recorded)}
	if _, err := cs.CoreV1().ConfigMaps("ns").Update(ctx, parent, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	res, _ := fakeResources()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test", Resources: res})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive: %v, %+v", err, status)
	}
	if kid, err = cs.CoreV1().ConfigMaps("ns").Get(ctx, kid.Name, metav1.GetOptions{}); err != nil || kid.Annotations[AnnotationPhase] != string(Succeeded) {
		t.Errorf("child %v phase %q, want Succeeded", err, kid.Annotations[AnnotationPhase])
	}
	if n := len(childWorkflows(t, cs)); n != 1 {
		t.Errorf("%d child workflows, want the one recorded", n)
	}
}

// waitOnWorkflowYAML starts a child without waiting for it, waits for it
// with a get, as Argo's k8s-wait-wf example does, then deletes it.
const waitOnWorkflowYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: start, template: start}
    - - name: wait
        template: wait
        arguments: {parameters: [{name: wf, value: "{{steps.start.outputs.parameters.name}}"}]}
    - - name: remove
        template: remove
        arguments: {parameters: [{name: wf, value: "{{steps.start.outputs.parameters.name}}"}]}
  - name: start
    resource:
      action: create
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: kid-}
        spec:
          entrypoint: main
          templates:
          - name: main
            resource:
              action: create
              manifest: |
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: made}
    outputs:
      parameters:
      - name: name
        valueFrom: {jsonPath: '{.metadata.name}'}
  - name: wait
    inputs: {parameters: [{name: wf}]}
    resource:
      action: get
      successCondition: status.phase == Succeeded
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: "{{inputs.parameters.wf}}"}
  - name: remove
    inputs: {parameters: [{name: wf}]}
    resource:
      action: delete
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: "{{inputs.parameters.wf}}"}
`

// TestWaitOnAndDeleteAWorkflow: get waits on a workflow until its
// condition holds, delete deletes its object.
func TestWaitOnAndDeleteAWorkflow(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, waitOnWorkflowYAML)
	res, _ := fakeResources()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test", Resources: res})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive: %v, %+v", err, status)
	}
	kid := status.Nodes[compile.NodeID("wf", "wf[0].start")].Outputs.Parameters["name"]
	if !strings.HasPrefix(kid, "kid-") {
		t.Fatalf("start's output name %q, want the child's", kid)
	}
	if _, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, kid, metav1.GetOptions{}); err == nil {
		t.Errorf("child %s still exists after the delete", kid)
	}
	for _, node := range []string{"wf[1].wait", "wf[2].remove"} {
		if n := status.Nodes[compile.NodeID("wf", node)]; n == nil || n.Phase != Succeeded {
			t.Errorf("%s: %+v, want Succeeded", node, n)
		}
	}
}

// TestRetryStartsANewChild: retrying a parent whose child failed starts a
// new child, as Argo's retry creates the Workflow again, rather than
// adopting the failed one, which stays.
func TestRetryStartsANewChild(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, strings.Replace(childYAML, "CHILD_ACTION", "get", 1))
	res, _ := fakeResources()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := Config{Namespace: "ns", Name: "wf", Identity: "test", Resources: res}
	if status, err := Drive(ctx, cs, cfg); err != nil || status.Phase != Failed {
		t.Fatalf("first run: %v, %+v; want Failed", err, status)
	}
	first := childWorkflows(t, cs)
	if _, err := Retry(ctx, cs, res, "ns", "wf"); err != nil {
		t.Fatal(err)
	}
	if status, err := Drive(ctx, cs, cfg); err != nil || status.Phase != Failed {
		t.Fatalf("retried run: %v, %+v; want Failed again", err, status)
	}
	all := childWorkflows(t, cs)
	if len(first) != 1 || len(all) != 2 {
		t.Fatalf("children %d after the first run, %d after the retry; want 1 and 2", len(first), len(all))
	}
	for _, kid := range all {
		if _, labelled := kid.Labels[compile.LabelCreatedByNode]; labelled != (kid.Name != first[0].Name) {
			t.Errorf("child %s labelled by its node: %v; only the new one should be", kid.Name, labelled)
		}
	}
}

// TestReleaseCreated: retry takes the created-by-node label off what a
// failed node created, of any kind, and leaves others' objects alone.
func TestReleaseCreated(t *testing.T) {
	res, dyn := fakeResources()
	ctx := context.Background()
	ri := dyn.Resource(configMapsGVR).Namespace("ns")
	obj, _ := compile.ParseManifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: made-}\n", "create")
	mine, err := createObject(ctx, ri, newWorkflowObject("uid-1"), "wf[0].make", obj.DeepCopy(), "")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := createObject(ctx, ri, newWorkflowObject("uid-2"), "wf[0].make", obj.DeepCopy(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{mine.GetName(), theirs.GetName(), "gone"} {
		if err := releaseCreated(ctx, fake.NewClientset(), res, "uid-1", &ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: o}); err != nil {
			t.Fatalf("release %s: %v", o, err)
		}
	}
	for name, want := range map[string]bool{mine.GetName(): false, theirs.GetName(): true} {
		got, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, labelled := got.GetLabels()[compile.LabelCreatedByNode]; labelled != want {
			t.Errorf("%s labelled by its node: %v, want %v", name, labelled, want)
		}
	}
}

// TestActOnWorkflowByName: get finds only workflow objects (a plain
// ConfigMap of that name is not a Workflow), and delete of a workflow that
// is gone succeeds, as kubectl delete --ignore-not-found in Argo's pod.
func TestActOnWorkflowByName(t *testing.T) {
	cs := fake.NewClientset(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: "ns"}})
	d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf"}, wake: make(chan struct{}, 1)}
	for _, tc := range []struct{ action, name, wantErr string }{
		{"get", "plain", `workflows.argoproj.io "plain" not found`},
		{"get", "gone", `workflows.argoproj.io "gone" not found`},
		{"delete", "gone", ""},
		{"delete", "plain", ""}, // not a workflow: left alone
	} {
		obj, _ := compile.ParseManifest("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: "+tc.name+"}\n", tc.action)
		_, err := d.actOnWorkflow(context.Background(), newWorkflowObject("uid-1"), "wf", &compile.ResourceAction{Action: tc.action, Object: obj}, "")
		if got := fmt.Sprint(err); (tc.wantErr == "" && err != nil) || (tc.wantErr != "" && got != tc.wantErr) {
			t.Errorf("%s %s: %v, want %q", tc.action, tc.name, err, tc.wantErr)
		}
	}
	if _, err := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "plain", metav1.GetOptions{}); err != nil {
		t.Errorf("delete of a Workflow removed a ConfigMap that is not one: %v", err)
	}
}
