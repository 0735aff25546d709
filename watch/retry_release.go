package watch

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// releaseCreated lets go of the object a failed resource node created: it
// loses its created-by-node label, so that the node's next attempt makes
// a new one, as Argo's retry runs kubectl create again, instead of
// adopting the failed one (a child workflow that failed, a Job that met
// the failure condition). The object itself stays, as in Argo. Objects the
// node did not create are left untouched.
func releaseCreated(ctx context.Context, cs kubernetes.Interface, res *Resources, parentUID types.UID, ref *ObjectRef) error {
	switch {
	case ref == nil:
		return nil
	case compile.IsWorkflowManifest(ref.APIVersion, ref.Kind):
		cms := cs.CoreV1().ConfigMaps(ref.Namespace)
		get := func(ctx context.Context, name string, o metav1.GetOptions, _ ...string) (*corev1.ConfigMap, error) {
			return cms.Get(ctx, name, o)
		}
		return unlabelCreated(ctx, get, cms.Patch, ref.Name, parentUID)
	case res == nil:
		return fmt.Errorf("releasing %s %s: resource templates need a dynamic client", ref.Kind, ref.Name)
	}
	gvk := schema.FromAPIVersionAndKind(ref.APIVersion, ref.Kind)
	mapping, err := res.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("releasing %s %s: %w", ref.Kind, ref.Name, err)
	}
	ri := res.Dynamic.Resource(mapping.Resource).Namespace(ref.Namespace)
	return unlabelCreated(ctx, ri.Get, ri.Patch, ref.Name, parentUID)
}

// unlabelCreated removes the created-by-node label from object name, of
// any client's type, when the workflow parentUID created it.
func unlabelCreated[T metav1.Object](ctx context.Context,
	get func(context.Context, string, metav1.GetOptions, ...string) (T, error),
	patch func(context.Context, string, types.PatchType, []byte, metav1.PatchOptions, ...string) (T, error),
	name string, parentUID types.UID) error {
	obj, err := get(ctx, name, metav1.GetOptions{})
	if err == nil {
		l := obj.GetLabels()
		if l[compile.LabelCreatedByWorkflow] != string(parentUID) || l[compile.LabelCreatedByNode] == "" {
			return nil
		}
		unlabel := fmt.Appendf(nil, `{"metadata":{"labels":{%q:null}}}`, compile.LabelCreatedByNode)
		_, err = patch(ctx, name, types.MergePatchType, unlabel, metav1.PatchOptions{FieldManager: FieldManager})
	}
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
