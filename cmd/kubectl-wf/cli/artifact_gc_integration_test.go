package cli

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// artifactGCWorkflow is artifact-gc-workflow.yaml with busybox: one
// artifact goes when the workflow completes, the other (the workflow's
// default) when it is deleted.
const artifactGCWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: artifact-gc-}
spec:
  entrypoint: main
  artifactGC: {strategy: OnWorkflowDeletion}
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo hello world > /tmp/on-completion.txt; echo hello world > /tmp/on-deletion.txt"]
    outputs:
      artifacts:
      - name: on-completion
        path: /tmp/on-completion.txt
        s3: {key: on-completion.txt}
        artifactGC: {strategy: OnWorkflowCompletion}
      - name: on-deletion
        path: /tmp/on-deletion.txt
        s3: {key: on-deletion.txt}
`

// TestArtifactGCOnCluster: once the workflow has ended (as submit and get
// see it), the OnWorkflowCompletion artifact's file is gone and get says
// it was deleted; the OnWorkflowDeletion one stays until the workflow is
// deleted, and goes with it.
func TestArtifactGCOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, artifactGCWorkflow))
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	name := submitted(t, out)
	doc := getJSON(t, ns, name)
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	root := doc.Status.Nodes[doc.Status.Root]
	if root == nil || root.Outputs == nil || root.Job == "" {
		t.Fatalf("root node %+v has no outputs", root)
	}
	deleted := map[string]bool{}
	for _, a := range root.Outputs.Artifacts {
		deleted[a.Name] = a.Deleted
	}
	if d := cmp.Diff(map[string]bool{"on-completion": true, "on-deletion": false}, deleted); d != "" {
		t.Errorf("artifacts deleted, as get shows them (-want +got):\n%s", d)
	}
	cmName := watch.ArtifactsConfigMapName(root.Job)
	if d := cmp.Diff([]string{"on-deletion.0"}, configMapKeys(t, cs, ns, cmName)); d != "" {
		t.Errorf("ConfigMap %s keys once the workflow ended (-want +got):\n%s", cmName, d)
	}
	if code, _, errOut := onCluster(t, ns, "delete", name); code != 0 {
		t.Fatalf("delete exited %d: %s", code, errOut)
	}
	waitFor(t, time.Minute, func() bool { return configMapKeys(t, cs, ns, cmName) == nil })
}

// artifactRepositoryRefWorkflow is artifact-repository-ref.yaml.
const artifactRepositoryRefWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: artifact-repository-ref-}
spec:
  entrypoint: main
  artifactRepositoryRef: {key: my-key}
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo hello world | tee /tmp/hello_world.txt"]
    outputs:
      artifacts:
      - {name: hello_world, path: /tmp/hello_world.txt}
`

// TestArtifactRepositoryRefOnCluster: a reference to a repository the
// namespace has runs, its artifact kept in a ConfigMap all the same; one
// to a repository it lacks ends in Error, with Argo's message, running
// no pod; retried once the repository exists, it resolves it again and
// runs, as Argo's controller resolves it on the retried workflow.
func TestArtifactRepositoryRefOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	repos := func() *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "artifact-repositories"},
			Data: map[string]string{"my-key": "s3:\n  bucket: my-bucket\n  endpoint: minio:9000\n"}}
	}
	const missing = `failed to resolve artifact repository: failed to find any artifact repository for artifact repository ref "#my-key"`
	tests := []struct {
		name    string
		repos   *corev1.ConfigMap
		phase   watch.Phase
		message string
		// made after the submit, before a retry that must then succeed
		reposThenRetry *corev1.ConfigMap
	}{{
		name:  "resolved",
		repos: repos(),
		phase: watch.Succeeded,
	}, {
		name:    "missing",
		phase:   watch.Error,
		message: missing,
	}, {
		name:    "missing, made, retried",
		phase:   watch.Error,
		message: missing, reposThenRetry: repos(),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			if tt.repos != nil {
				if _, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), tt.repos, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			_, out, errOut := onCluster(t, ns, "submit", writeTemp(t, artifactRepositoryRefWorkflow))
			doc := getJSON(t, ns, submitted(t, out))
			if doc.Status.Phase != tt.phase || doc.Status.Message != tt.message {
				t.Fatalf("%s: %s; want %s: %s\nstderr:\n%s", doc.Status.Phase, doc.Status.Message, tt.phase, tt.message, errOut)
			}
			if tt.phase != watch.Succeeded {
				if jobs := jobsOf(t, cs, ns, doc.Name); len(jobs) > 0 {
					t.Errorf("Jobs %v, want none", jobs)
				}
				if tt.reposThenRetry == nil {
					return
				}
				if _, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), tt.reposThenRetry, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
				if code, out, errOut := onCluster(t, ns, "retry", doc.Name); code != 0 {
					t.Fatalf("retry exited %d\n%s\n%s", code, out, errOut)
				}
				if doc = getJSON(t, ns, doc.Name); doc.Status.Phase != watch.Succeeded {
					t.Fatalf("after retry: %s: %s, want Succeeded", doc.Status.Phase, doc.Status.Message)
				}
			}
			if n := doc.Status.Nodes[doc.Status.Root]; n == nil || n.Outputs == nil || len(n.Outputs.Artifacts) != 1 {
				t.Errorf("root node %+v, want one artifact", n)
			}
		})
	}
}

// configMapKeys are the keys of a ConfigMap, sorted; nil when it is gone.
func configMapKeys(t *testing.T, cs kubernetes.Interface, ns, name string) []string {
	t.Helper()
	cm, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range cm.BinaryData {
		keys = append(keys, k)
	}
	for k := range cm.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
