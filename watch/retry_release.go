package watch

import (
	"context"
	"fmt"

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
	if ref == nil {
		return nil
	}
	unlabel := []byte(fmt.Sprintf(`{"metadata":{"labels":{%q:null}}}`, compile.LabelCreatedByNode))
	if compile.IsWorkflowManifest(ref.APIVersion, ref.Kind) {
		cms := cs.CoreV1().ConfigMaps(ref.Namespace)
		obj, err := cms.Get(ctx, ref.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || (err == nil && !createdBy(obj.Labels, parentUID)) {
			return nil
		}
		if err == nil {
			_, err = cms.Patch(ctx, ref.Name, types.MergePatchType, unlabel, metav1.PatchOptions{FieldManager: FieldManager})
		}
		return ignoreNotFound(err)
	}
	if res == nil {
		return fmt.Errorf("releasing %s %s: resource templates need a dynamic client", ref.Kind, ref.Name)
	}
	gvk := schema.FromAPIVersionAndKind(ref.APIVersion, ref.Kind)
	mapping, err := res.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("releasing %s %s: %w", ref.Kind, ref.Name, err)
	}
	ri := res.Dynamic.Resource(mapping.Resource).Namespace(ref.Namespace)
	obj, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && !createdBy(obj.GetLabels(), parentUID)) {
		return nil
	}
	if err == nil {
		_, err = ri.Patch(ctx, ref.Name, types.MergePatchType, unlabel, metav1.PatchOptions{FieldManager: FieldManager})
	}
	return ignoreNotFound(err)
}

func createdBy(l map[string]string, parentUID types.UID) bool {
	return l[compile.LabelCreatedByWorkflow] == string(parentUID) && l[compile.LabelCreatedByNode] != ""
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
