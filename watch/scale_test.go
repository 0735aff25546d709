package watch

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// maxAnnotationBytes is the apiserver's limit on one object's annotations.
const maxAnnotationBytes = 256 << 10

// TestStatusOfFiveThousandNodesFitsAnnotations drives a 5,000-node
// workflow whose Jobs have all ended (each with a 1 KiB result) to its
// verdict, and checks that the workflow object's annotations stay far
// below the apiserver's 256 KiB limit: per-node results live on the Jobs.
func TestStatusOfFiveThousandNodesFitsAnnotations(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 nodes")
	}
	const n = 5000
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: fan
        template: echo
        arguments: {parameters: [{name: i, value: "{{item}}"}]}
        withSequence: {count: "5000"}
  - name: echo
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.i}}"]}
`)
	_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: time.Now()})
	if len(actions.Create) != n {
		t.Fatalf("%d Jobs to create, want %d", len(actions.Create), n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	result := string(make([]byte, 1024))
	for _, c := range actions.Create {
		r := succeed(result)
		c.Job.Annotations[AnnotationResult] = mustJSON(r)
		if _, err := cs.BatchV1().Jobs("ns").Create(ctx, c.Job, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
	if err != nil || status.Phase != Succeeded || len(status.Nodes) != n+2 {
		t.Fatalf("Drive: %v; phase %v with %d nodes", err, status.Phase, len(status.Nodes))
	}
	obj, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for k, v := range obj.Annotations {
		size += len(k) + len(v)
	}
	if size > maxAnnotationBytes/100 {
		t.Errorf("workflow object annotations are %d bytes for %d nodes, want under %d", size, n, maxAnnotationBytes/100)
	}
	t.Logf("workflow object annotations: %d bytes for %d nodes", size, n)
}
