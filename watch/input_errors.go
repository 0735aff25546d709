package watch

import (
	"context"
	"maps"

	corev1 "k8s.io/api/core/v1"
)

// recordInputErrors records the errors of nodes whose key-only inputs
// named nothing (eval_input_errors.go), with those recorded before, on
// the workflow object; the nodes err at the next evaluation.
func (d *driver) recordInputErrors(ctx context.Context, obj *corev1.ConfigMap, recorded map[string]string, errs []InputError) (*corev1.ConfigMap, error) {
	if len(errs) == 0 {
		return obj, nil
	}
	all := maps.Clone(recorded)
	if all == nil {
		all = map[string]string{}
	}
	for _, e := range errs {
		all[e.Node] = e.Message
	}
	obj, err := d.annotate(ctx, obj, map[string]string{AnnotationInputErrors: mustJSON(all)})
	if err != nil {
		return obj, err
	}
	d.poke()
	return obj, nil
}
