package watch

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// artifactGCYAML is artifact-gc-workflow.yaml's shape, with the
// workflow's strategy to fill in.
const artifactGCYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  artifactGC: {strategy: %s}
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "true"]}
    outputs:
      artifacts:
      - {name: on-completion, path: /tmp/c, artifactGC: {strategy: OnWorkflowCompletion}}
      - {name: on-deletion, path: /tmp/d}
`

// TestDriveCollectsArtifactsBeforeTheEnd: a workflow whose pod ended, its
// result recorded, but whose end is not (the driver that saw it died, or
// is this one): the driver deletes the OnWorkflowCompletion artifact's
// files before it records the end, whatever an earlier driver already
// deleted; once the end is recorded nothing is collected again.
func TestDriveCollectsArtifactsBeforeTheEnd(t *testing.T) {
	both := map[string][]byte{"on-completion.0": []byte("c"), "on-deletion.0": []byte("d")}
	tests := []struct {
		name, strategy string
		phase          Phase             // recorded on the workflow object
		stored         map[string][]byte // the artifacts ConfigMap's data; nil: none
		want           []string          // its keys after; nil: deleted
		wantWrites     []string          // to the ConfigMap, then the workflow object
	}{{
		name: "OnWorkflowDeletion by default: one artifact goes", strategy: "OnWorkflowDeletion", phase: Running,
		stored: both, want: []string{"on-deletion.0"}, wantWrites: []string{"patch JOB-artifacts", "patch wf"},
	}, {
		name: "OnWorkflowCompletion by default: the ConfigMap goes", strategy: "OnWorkflowCompletion", phase: Running,
		stored: both, wantWrites: []string{"delete JOB-artifacts", "patch wf"},
	}, {
		name: "an earlier driver died after collecting", strategy: "OnWorkflowDeletion", phase: Running,
		stored: map[string][]byte{"on-deletion.0": []byte("d")}, want: []string{"on-deletion.0"}, wantWrites: []string{"patch wf"},
	}, {
		name: "an earlier driver died after deleting the ConfigMap", strategy: "OnWorkflowCompletion", phase: Running,
		wantWrites: []string{"patch wf"},
	}, {
		name: "the end is recorded: collected before it", strategy: "OnWorkflowDeletion", phase: Succeeded,
		stored: both, want: []string{"on-completion.0", "on-deletion.0"}, wantWrites: []string{"patch wf"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cs := fake.NewClientset()
			w := createWorkflow(t, cs, fmt.Sprintf(artifactGCYAML, tt.strategy))
			_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: time.Now()})
			job := actions.Create[0].Job
			cmName := ArtifactsConfigMapName(job.Name)
			r := succeed("")
			r.Artifacts = []compile.StoredArtifact{
				{Name: "on-completion", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "on-completion.0"}}},
				{Name: "on-deletion", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "on-deletion.0"}}},
			}
			job.Annotations[AnnotationResult] = mustJSON(r)
			if _, err := cs.BatchV1().Jobs("ns").Create(ctx, job, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if tt.stored != nil {
				cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName, Namespace: "ns", Labels: map[string]string{compile.LabelWorkflow: "wf"}}, BinaryData: tt.stored}
				if _, err := cs.CoreV1().ConfigMaps("ns").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			setPhase(t, cs, tt.phase)
			var writes []string
			cs.PrependReactor("*", "configmaps", func(a clienttesting.Action) (bool, runtime.Object, error) {
				if v := a.GetVerb(); v == "patch" || v == "delete" || v == "update" {
					name := a.(interface{ GetName() string }).GetName()
					if name == cmName {
						name = "JOB-artifacts"
					}
					writes = append(writes, v+" "+name)
				}
				return false, nil, nil
			})
			status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
			if err != nil || status.Phase != Succeeded {
				t.Fatalf("Drive: %v, %v", status, err)
			}
			// The writes up to the one recording the end.
			if end := slices.Index(writes, "patch wf"); end >= 0 {
				writes = writes[:end+1]
			}
			if d := cmp.Diff(tt.wantWrites, writes); d != "" {
				t.Errorf("writes (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.want, artifactKeys(t, cs, cmName)); d != "" {
				t.Errorf("artifacts ConfigMap keys (-want +got):\n%s", d)
			}
		})
	}
}

// TestReadMarksCollectedArtifacts: once the end is recorded, get shows
// the artifacts that went on completion as deleted, as Argo's status does.
func TestReadMarksCollectedArtifacts(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset()
	w := createWorkflow(t, cs, fmt.Sprintf(artifactGCYAML, "OnWorkflowDeletion"))
	_, actions := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: time.Now()})
	job := actions.Create[0].Job
	cmName := ArtifactsConfigMapName(job.Name)
	r := succeed("")
	r.Artifacts = []compile.StoredArtifact{
		{Name: "on-completion", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "on-completion.0"}}},
		{Name: "on-deletion", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "on-deletion.0"}}},
	}
	job.Annotations[AnnotationResult] = mustJSON(r)
	if _, err := cs.BatchV1().Jobs("ns").Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deleted := func() map[string]bool {
		snap, err := Read(ctx, cs, "ns", "wf")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, a := range snap.Status.Nodes[snap.Status.Root].Outputs.Artifacts {
			out[a.Name] = a.Deleted
		}
		return out
	}
	setPhase(t, cs, Running)
	if d := cmp.Diff(map[string]bool{"on-completion": false, "on-deletion": false}, deleted()); d != "" {
		t.Errorf("before the end is recorded (-want +got):\n%s", d)
	}
	setPhase(t, cs, Succeeded)
	if d := cmp.Diff(map[string]bool{"on-completion": true, "on-deletion": false}, deleted()); d != "" {
		t.Errorf("once the end is recorded (-want +got):\n%s", d)
	}
}

// TestArtifactFiles: the keys of an artifact are NAME.N, and only its.
func TestArtifactFiles(t *testing.T) {
	cm := &corev1.ConfigMap{BinaryData: map[string][]byte{"a.0": nil, "a.1": nil, "a.b.0": nil, "ab.0": nil, "main-logs.0": nil}}
	tests := []struct {
		gone        []string
		wantRemoved []string
		wantLeft    int
	}{
		{gone: []string{"a"}, wantRemoved: []string{"a.0", "a.1"}, wantLeft: 3},
		{gone: []string{"a.b", "main-logs"}, wantRemoved: []string{"a.b.0", "main-logs.0"}, wantLeft: 3},
		{gone: []string{"x"}, wantLeft: 5},
		{gone: []string{"a", "a.b", "ab", "main-logs"}, wantRemoved: []string{"a.0", "a.1", "a.b.0", "ab.0", "main-logs.0"}},
	}
	for _, tt := range tests {
		removed, left := artifactFiles(cm, setOf(tt.gone))
		if d := cmp.Diff(tt.wantRemoved, removed); d != "" || left != tt.wantLeft {
			t.Errorf("gone %v: removed (-want +got):\n%s; left %d, want %d", tt.gone, d, left, tt.wantLeft)
		}
	}
}

func setPhase(t *testing.T, cs *fake.Clientset, p Phase) {
	t.Helper()
	obj, err := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), "wf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Annotations == nil {
		obj.Annotations = map[string]string{}
	}
	obj.Annotations[AnnotationPhase] = string(p)
	if p.Fulfilled() {
		obj.Annotations[AnnotationFinishedAt] = time.Now().UTC().Format(time.RFC3339)
	}
	if _, err := cs.CoreV1().ConfigMaps("ns").Update(context.Background(), obj, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// artifactKeys are the keys of ConfigMap name, sorted; nil when it is gone.
func artifactKeys(t *testing.T, cs *fake.Clientset, name string) []string {
	t.Helper()
	cm, err := cs.CoreV1().ConfigMaps("ns").Get(context.Background(), name, metav1.GetOptions{})
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
