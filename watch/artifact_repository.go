package watch

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/yaml"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

const (
	// AnnotationArtifactRepository on the workflow object is the artifact
	// repository spec.artifactRepositoryRef resolved to at submit, as
	// Argo's status.artifactRepositoryRef names it: NAMESPACE/CONFIGMAP#KEY.
	// kubectl-wf keeps the artifacts in ConfigMaps all the same.
	AnnotationArtifactRepository = compile.Domain + "/artifact-repository"
	// AnnotationWorkflowError on the workflow object ends the workflow in
	// Error before any node runs, with its value as the message, as
	// Argo's controller errs a workflow it cannot start.
	AnnotationWorkflowError = compile.Domain + "/workflow-error"
)

// resolveArtifactRepository resolves spec.artifactRepositoryRef as Argo's
// controller does when the workflow starts, and says on the workflow
// object (annotations) what it resolved to, or why the workflow errs:
// the ConfigMap (artifact-repositories unless named) in the workflow's
// namespace, and its key (the ConfigMap's default-artifact-repository
// annotation unless named), which must hold a repository. Argo then
// looks in its controller's namespace too; kubectl-wf has none. An
// apiserver that does not answer is the submit's error, not the
// workflow's, as Argo's controller retries such errors.
func resolveArtifactRepository(ctx context.Context, cs kubernetes.Interface, namespace string, ref *wfv1.ArtifactRepositoryRef) (map[string]string, error) {
	if ref == nil {
		return nil, nil
	}
	name := ref.ConfigMap
	if name == "" {
		name = compile.DefaultArtifactRepositories
	}
	given := fmt.Sprintf("%s#%s", ref.ConfigMap, ref.Key) // as Argo prints the reference
	fail := func(format string, args ...any) (map[string]string, error) {
		return map[string]string{AnnotationWorkflowError: "failed to resolve artifact repository: " + fmt.Sprintf(format, args...)}, nil
	}
	var err error
	var data map[string]string
	var annotations map[string]string
	err = retry.OnError(retry.DefaultBackoff, IsTransient, func() error {
		cm, err := cs.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			data, annotations = cm.Data, cm.Annotations
		}
		return err
	})
	switch {
	case apierrors.IsNotFound(err):
		return fail("failed to find any artifact repository for artifact repository ref %q", given)
	case IsTransient(err):
		return nil, fmt.Errorf("reading artifact repository ConfigMap %s/%s: %w", namespace, name, err)
	case err != nil:
		return fail("error getting config map for artifact repository ref %q: %v", namespace+"/"+given, err)
	}
	key := ref.Key
	if key == "" {
		key = annotations[compile.AnnotationDefaultArtifactRepository]
	}
	value, ok := data[key]
	if !ok {
		return fail("failed to find any artifact repository for artifact repository ref %q", given)
	}
	var repo map[string]any
	if err := yaml.Unmarshal([]byte(value), &repo); err != nil {
		return fail("error getting config map for artifact repository ref %q: failed to unmarshall config map key %q for artifact repository ref %q: %v",
			namespace+"/"+given, key, namespace+"/"+given, err)
	}
	return map[string]string{AnnotationArtifactRepository: fmt.Sprintf("%s/%s#%s", namespace, name, key)}, nil
}

// retryArtifactRepository is what a retry writes of spec.artifactRepositoryRef:
// the workflow's error is cleared and, unless the reference resolved before,
// it is resolved again (recording the repository or the new error), as
// Argo's controller resolves it on the retried workflow's reconcile while
// status.artifactRepositoryRef is unset. A repository created since makes
// the retry run.
func retryArtifactRepository(ctx context.Context, cs kubernetes.Interface, obj *corev1.ConfigMap, ref *wfv1.ArtifactRepositoryRef) (map[string]any, error) {
	values := map[string]any{AnnotationWorkflowError: nil}
	if obj.Annotations[AnnotationArtifactRepository] != "" {
		return values, nil
	}
	resolved, err := resolveArtifactRepository(ctx, cs, obj.Namespace, ref)
	if err != nil {
		return nil, err
	}
	for k, v := range resolved {
		values[k] = v
	}
	return values, nil
}
