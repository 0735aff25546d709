package watch

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestRetryResolvesArtifactRepositoryAgain: a workflow that erred because
// its artifactRepositoryRef named nothing resolves it again on retry, as
// Argo's controller does on the retried workflow's reconcile: it runs if
// the repository exists now, and errs again, with the new reason, if not.
func TestRetryResolvesArtifactRepositoryAgain(t *testing.T) {
	const src = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  artifactRepositoryRef: {key: my-key}
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
`
	const missing = `failed to resolve artifact repository: failed to find any artifact repository for artifact repository ref "#my-key"`
	tests := []struct {
		name    string
		data    map[string]string // the ConfigMap made before the retry, if any
		want    map[string]string // the two annotations after the retry
		phase   Phase
		message string
	}{{
		name:  "still missing: errs again",
		want:  map[string]string{AnnotationWorkflowError: missing},
		phase: Error, message: missing,
	}, {
		name:  "made since: runs",
		data:  map[string]string{"my-key": "s3:\n  bucket: b\n"},
		want:  map[string]string{AnnotationArtifactRepository: "ns/artifact-repositories#my-key"},
		phase: Succeeded,
	}, {
		name: "made since, without the key: errs with that",
		data: map[string]string{"other": "s3:\n  bucket: b\n"},
		want: map[string]string{AnnotationWorkflowError: missing},
		// The same message: Argo's says the same for a missing key.
		phase: Error, message: missing,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			docs, diags := compile.ParseFile("wf.yaml", []byte(src))
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			cs := fake.NewClientset()
			if _, _, err := Create(ctx, cs, docs[0], compile.Options{Namespace: "ns"}, false); err != nil {
				t.Fatal(err)
			}
			fakeKubelet(ctx, t, cs, "ns")
			status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "first"})
			if err != nil || status.Phase != Error || status.Message != missing {
				t.Fatalf("first run: %+v, %v; want Error: %s", status, err, missing)
			}
			if tt.data != nil {
				cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: compile.DefaultArtifactRepositories, Namespace: "ns"}, Data: tt.data}
				if _, err := cs.CoreV1().ConfigMaps("ns").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Retry(ctx, cs, nil, "ns", "wf"); err != nil {
				t.Fatal(err)
			}
			obj, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, k := range []string{AnnotationArtifactRepository, AnnotationWorkflowError} {
				if v, ok := obj.Annotations[k]; ok {
					got[k] = v
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("annotations after retry (-want +got):\n%s", d)
			}
			status, err = Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "second"})
			if err != nil || status.Phase != tt.phase || status.Message != tt.message {
				t.Errorf("after retry: %s %q, %v; want %s %q", status.Phase, status.Message, err, tt.phase, tt.message)
			}
		})
	}
}

// TestRetryKeepsResolvedArtifactRepository: a workflow whose reference
// resolved keeps what it resolved to, as Argo keeps
// status.artifactRepositoryRef, even if the ConfigMap is gone since.
func TestRetryKeepsResolvedArtifactRepository(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset() // no ConfigMap: resolving again would err
	obj := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns",
		Annotations: map[string]string{AnnotationArtifactRepository: "ns/artifact-repositories#k"}}}
	got, err := retryArtifactRepository(ctx, cs, obj, &wfv1.ArtifactRepositoryRef{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]any{AnnotationWorkflowError: nil}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if n := len(cs.Actions()); n != 0 {
		t.Errorf("%d API calls, want none", n)
	}
}
