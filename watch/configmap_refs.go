package watch

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// resolveConfigMapRefs reads, once at submit, every parameter whose value
// comes from a ConfigMap (valueFrom.configMapKeyRef): a workflow argument
// gets it as its value, a template input as its default (an argument
// still wins). Argo reads them when each node starts instead: see
// docs/compat.md. A missing ConfigMap or key takes valueFrom.default, is
// "" when the reference is optional, and is an error otherwise.
func resolveConfigMapRefs(ctx context.Context, cs kubernetes.Interface, namespace string, doc *compile.Document) error {
	cache := map[string]map[string]string{}
	read := func(p *wfv1.Parameter) (*wfv1.AnyString, error) {
		ref := p.ValueFrom.ConfigMapKeyRef
		data, ok := cache[ref.Name]
		if !ok {
			cm, err := cs.CoreV1().ConfigMaps(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
			case err != nil:
				return nil, fmt.Errorf("parameter %q: %w", p.Name, err)
			default:
				data = cm.Data
			}
			cache[ref.Name] = data
		}
		if v, ok := data[ref.Key]; ok {
			return wfv1.ParseAnyString(v), nil
		}
		switch {
		case p.ValueFrom.Default != nil:
			return p.ValueFrom.Default, nil
		case ref.Optional != nil && *ref.Optional:
			return wfv1.ParseAnyString(""), nil
		}
		return nil, fmt.Errorf("parameter %q: key %q of ConfigMap %s/%s not found", p.Name, ref.Key, namespace, ref.Name)
	}
	args := doc.Spec.Arguments.Parameters
	for i := range args {
		if args[i].ValueFrom == nil || args[i].ValueFrom.ConfigMapKeyRef == nil {
			continue
		}
		v, err := read(&args[i])
		if err != nil {
			return err
		}
		args[i].Value, args[i].ValueFrom = v, nil
	}
	for t := range doc.Spec.Templates {
		inputs := doc.Spec.Templates[t].Inputs.Parameters
		for i := range inputs {
			if inputs[i].ValueFrom == nil || inputs[i].ValueFrom.ConfigMapKeyRef == nil {
				continue
			}
			v, err := read(&inputs[i])
			if err != nil {
				return err
			}
			inputs[i].Default, inputs[i].ValueFrom = v, nil
		}
	}
	return nil
}
