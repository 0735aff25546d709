package watch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

var (
	configMapsGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	jobsGVR       = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
)

// fakeDynamic is the fake dynamic client, which cannot stream lists as
// informers ask by default; it says so, as the typed fake does.
type fakeDynamic struct{ *dynamicfake.FakeDynamicClient }

func (fakeDynamic) IsWatchListSemanticsUnSupported() bool { return true }

func fakeResources() (*Resources, *dynamicfake.FakeDynamicClient) {
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		configMapsGVR: "ConfigMapList", jobsGVR: "JobList"})
	// Give generateName a name, as the apiserver does.
	n := 0
	dyn.PrependReactor("create", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		obj := a.(clienttesting.CreateAction).GetObject().(*unstructured.Unstructured)
		if obj.GetName() == "" {
			n++
			obj.SetName(fmt.Sprintf("%sx%04d", obj.GetGenerateName(), n))
		}
		return false, nil, nil
	})
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}, meta.RESTScopeNamespace)
	return &Resources{Dynamic: fakeDynamic{dyn}, Mapper: mapper}, dyn
}

const resourceYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - name: show
        template: show
        arguments: {parameters: [{name: cm, value: "{{steps.make.outputs.parameters.name}}"}]}
  - name: make
    resource:
      action: create
      setOwnerReference: true
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {generateName: made-}
        data: {greeting: hello}
    outputs:
      parameters:
      - name: name
        valueFrom: {jsonPath: '{.metadata.name}'}
      - name: greeting
        valueFrom: {jsonPath: '{.data.greeting}'}
  - name: show
    inputs: {parameters: [{name: cm}]}
    resource:
      action: get
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "{{inputs.parameters.cm}}"}
    outputs:
      parameters:
      - name: greeting
        valueFrom: {jsonPath: '{.data.greeting}'}
`

func TestDriveResourceCreateAndGet(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, resourceYAML)
	res, dyn := fakeResources()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test", Resources: res})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive: %v, %+v", err, status)
	}
	made, err := dyn.Resource(configMapsGVR).Namespace("ns").List(ctx, metav1.ListOptions{})
	if err != nil || len(made.Items) != 1 {
		t.Fatalf("ConfigMaps made: %v, %v", made, err)
	}
	cm := made.Items[0]
	if refs := cm.GetOwnerReferences(); len(refs) != 1 || refs[0].UID != "uid-1" || refs[0].Kind != "ConfigMap" {
		t.Errorf("setOwnerReference: owner references %+v, want the workflow object", refs)
	}
	show := status.Nodes[compile.NodeID("wf", "wf[1].show")]
	if want := map[string]string{"greeting": "hello"}; show == nil || !cmp.Equal(show.Outputs.Parameters, want) {
		t.Errorf("show outputs: %+v, want %v", show, want)
	}
	make_ := status.Nodes[compile.NodeID("wf", "wf[0].make")]
	if make_.Outputs.Parameters["name"] != cm.GetName() {
		t.Errorf("make's name output %q, want %q", make_.Outputs.Parameters["name"], cm.GetName())
	}
}

// TestCreateAfterACrashAdopts: a driver that created the object but died
// before recording it is followed by one that finds the object by its
// labels instead of creating a second one under a new generated name.
func TestCreateAfterACrashAdopts(t *testing.T) {
	_, dyn := fakeResources()
	obj, _ := compile.ParseManifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: made-}\n", "create")
	wfObj := newWorkflowObject("uid-1")
	ri := dyn.Resource(configMapsGVR).Namespace("ns")
	first, err := createObject(context.Background(), ri, wfObj, "wf[0].make", obj.DeepCopy(), "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := createObject(context.Background(), ri, wfObj, "wf[0].make", obj.DeepCopy(), "")
	if err != nil || again.GetName() != first.GetName() {
		t.Fatalf("second create: %v, %v; want %s adopted", again, err, first.GetName())
	}
	other, err := createObject(context.Background(), ri, wfObj, "wf[1].other", obj.DeepCopy(), "")
	if err != nil || other.GetName() == first.GetName() {
		t.Errorf("another node adopted this node's object: %v, %v", other, err)
	}
}

func newWorkflowObject(uid string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", UID: types.UID(uid)}}
}

const waitJobYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: run
  templates:
  - name: run
    resource:
      action: create
      successCondition: status.succeeded > 0
      failureCondition: status.failed > 0
      manifest: |
        apiVersion: batch/v1
        kind: Job
        metadata: {name: pi}
        spec: {template: {spec: {containers: [{name: c, image: busybox}], restartPolicy: Never}}}
`

// TestDriveResourceWaitsForCondition: the node runs until the object it
// created meets a condition, seen through a watch on that object.
func TestDriveResourceWaitsForCondition(t *testing.T) {
	for _, tc := range []struct {
		status      map[string]any
		phase       Phase
		wantMessage string
	}{
		{map[string]any{"succeeded": int64(1)}, Succeeded, ""},
		{map[string]any{"failed": int64(1)}, Failed, "failure condition 'status.failed>0' evaluated true"},
	} {
		t.Run(string(tc.phase), func(t *testing.T) {
			cs := fake.NewClientset()
			createWorkflow(t, cs, waitJobYAML)
			res, dyn := fakeResources()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			seenRunning := make(chan struct{})
			var once bool
			cfg := Config{Namespace: "ns", Name: "wf", Identity: "test", Resources: res, OnStatus: func(s *Status) {
				if s.Nodes["wf"].Phase == Running && !once {
					once = true
					close(seenRunning)
				}
			}}
			go func() {
				select {
				case <-seenRunning:
				case <-ctx.Done():
					return
				}
				jobs := dyn.Resource(jobsGVR).Namespace("ns")
				job, err := jobs.Get(ctx, "pi", metav1.GetOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				job.Object["status"] = tc.status
				if _, err := jobs.Update(ctx, job, metav1.UpdateOptions{}); err != nil {
					t.Error(err)
				}
			}()
			status, err := Drive(ctx, cs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if n := status.Nodes["wf"]; n.Phase != tc.phase || n.Message != tc.wantMessage {
				t.Errorf("node %s %q, want %s %q", n.Phase, n.Message, tc.phase, tc.wantMessage)
			}
		})
	}
}

func TestMatchConditions(t *testing.T) {
	job := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"name": "j", "labels": map[string]any{"app": "x"}},
		"status":   map[string]any{"succeeded": int64(1), "failed": int64(0), "phase": "Done"},
	}}
	for _, tc := range []struct {
		name, success, failure, wantFailed string
		wantDone                           bool
	}{
		{name: "no conditions", wantDone: true},
		{name: "succeeded > 0", success: "status.succeeded > 0", wantDone: true},
		{name: "not yet", success: "status.succeeded > 1"},
		{name: "all must match", success: "status.succeeded > 0, status.phase == Running"},
		{name: "equality and path", success: "status.phase == Done, metadata.labels.app in (x, y)", wantDone: true},
		{name: "failure first", success: "status.succeeded > 0", failure: "status.failed < 1", wantFailed: "failure condition 'status.failed<1' evaluated true"},
		{name: "missing path never matches >", success: "status.active > 0"},
		{name: "exists", success: "status.phase", wantDone: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := compile.ParseCondition("success", tc.success)
			if err != nil {
				t.Fatal(err)
			}
			f, err := compile.ParseCondition("fail", tc.failure)
			if err != nil {
				t.Fatal(err)
			}
			failed, done := matchConditions(job, s, f)
			if failed != tc.wantFailed || done != tc.wantDone {
				t.Errorf("matchConditions = %q, %v; want %q, %v", failed, done, tc.wantFailed, tc.wantDone)
			}
		})
	}
}

func TestResourceOutputs(t *testing.T) {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"name": "pi-x", "labels": map[string]any{"a": "1", "b": "2"}},
		"status":   map[string]any{"succeeded": int64(3)},
	}}
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: t
  templates:
  - name: t
    resource:
      action: get
      manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    outputs:
      parameters:
      - {name: name, valueFrom: {jsonPath: '{.metadata.name}'}}
      - {name: count, valueFrom: {jsonPath: '{.status.succeeded}'}}
      - {name: missing, valueFrom: {jsonPath: '{.status.nothing}'}}
      - {name: labels, valueFrom: {jqFilter: '.metadata.labels'}}
      - {name: keys, valueFrom: {jqFilter: '.metadata.labels | keys[]'}}
      - {name: number, valueFrom: {jqFilter: '.status.succeeded'}}
      - {name: fixed, value: constant}
`
	w := workflow(t, src)
	tmpl, _ := w.Template("t")
	got, err := resourceOutputs(tmpl, obj)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"name": "pi-x", "count": "3", "missing": "", "labels": `{"a":"1","b":"2"}`,
		"keys": "a\nb", "number": "3", "fixed": "constant"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}
