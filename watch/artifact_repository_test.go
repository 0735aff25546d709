package watch

import (
	"context"
	"errors"
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

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestArtifactRepositoryRef: submit resolves spec.artifactRepositoryRef as
// Argo's controller does, in the workflow's namespace, and records what it
// resolved to, or Argo's error, which ends the workflow in Error before
// any node runs.
func TestArtifactRepositoryRef(t *testing.T) {
	repos := func(name string, annotations, data map[string]string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Annotations: annotations}, Data: data}
	}
	s3 := "s3:\n  bucket: my-bucket\n  endpoint: minio:9000\n"
	tests := []struct {
		name, ref string
		objects   []runtime.Object
		forbidden bool
		want      map[string]string // the workflow object's annotations of the two
	}{{
		name: "no reference: nothing read", ref: "",
		want: map[string]string{},
	}, {
		name: "a key of artifact-repositories, as artifact-repository-ref.yaml", ref: "{key: my-key}",
		objects: []runtime.Object{repos("artifact-repositories", nil, map[string]string{"my-key": s3})},
		want:    map[string]string{AnnotationArtifactRepository: "ns/artifact-repositories#my-key"},
	}, {
		name: "the ConfigMap's default key", ref: "{}",
		objects: []runtime.Object{repos("artifact-repositories", map[string]string{compile.AnnotationDefaultArtifactRepository: "default-v1"}, map[string]string{"default-v1": s3})},
		want:    map[string]string{AnnotationArtifactRepository: "ns/artifact-repositories#default-v1"},
	}, {
		name: "a named ConfigMap", ref: "{configMap: mine, key: k}",
		objects: []runtime.Object{repos("mine", nil, map[string]string{"k": s3})},
		want:    map[string]string{AnnotationArtifactRepository: "ns/mine#k"},
	}, {
		name: "no ConfigMap", ref: "{key: my-key}",
		want: map[string]string{AnnotationWorkflowError: `failed to resolve artifact repository: failed to find any artifact repository for artifact repository ref "#my-key"`},
	}, {
		name: "no such key", ref: "{configMap: mine, key: other}",
		objects: []runtime.Object{repos("mine", nil, map[string]string{"k": s3})},
		want:    map[string]string{AnnotationWorkflowError: `failed to resolve artifact repository: failed to find any artifact repository for artifact repository ref "mine#other"`},
	}, {
		name: "no key named, none by default", ref: "{}",
		objects: []runtime.Object{repos("artifact-repositories", nil, map[string]string{"k": s3})},
		want:    map[string]string{AnnotationWorkflowError: `failed to resolve artifact repository: failed to find any artifact repository for artifact repository ref "#"`},
	}, {
		name: "not a repository", ref: "{key: k}",
		objects: []runtime.Object{repos("artifact-repositories", nil, map[string]string{"k": "just text"})},
		want: map[string]string{AnnotationWorkflowError: `failed to resolve artifact repository: error getting config map for artifact repository ref "ns/#k": ` +
			`failed to unmarshall config map key "k" for artifact repository ref "ns/#k": error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}`},
	}, {
		name: "not allowed to read it", ref: "{key: k}", forbidden: true,
		want: map[string]string{AnnotationWorkflowError: `failed to resolve artifact repository: error getting config map for artifact repository ref "ns/#k": ` +
			`configmaps "artifact-repositories" is forbidden: no`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			src := "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  entrypoint: main\n"
			if tt.ref != "" {
				src += "  artifactRepositoryRef: " + tt.ref + "\n"
			}
			src += "  templates:\n  - name: main\n    container: {image: busybox, command: [\"true\"]}\n"
			docs, diags := compile.ParseFile("wf.yaml", []byte(src))
			if diags = append(diags, compile.Lint(docs)...); diags.HasErrors() {
				t.Fatal(diags)
			}
			cs := fake.NewClientset(tt.objects...)
			forbid := tt.forbidden
			cs.PrependReactor("get", "configmaps", func(a clienttesting.Action) (bool, runtime.Object, error) {
				if name := a.(clienttesting.GetAction).GetName(); forbid && name != "wf" {
					return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, name, errors.New("no"))
				}
				return false, nil, nil
			})
			_, obj, err := Create(ctx, cs, docs[0], compile.Options{Namespace: "ns"}, false)
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
				t.Fatalf("annotations (-want +got):\n%s", d)
			}
			msg, errs := tt.want[AnnotationWorkflowError]
			if !errs {
				return
			}
			cs.PrependReactor("create", "jobs", func(clienttesting.Action) (bool, runtime.Object, error) {
				t.Error("a Job was created")
				return false, nil, nil
			})
			status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
			if err != nil || status.Phase != Error || status.Message != msg {
				t.Errorf("Drive: %v, %+v; want Error: %s", err, status, msg)
			}
		})
	}
}
