package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Resources lets the driver act on objects of any kind for resource
// templates, with the credentials of whoever runs it (Argo runs kubectl
// in a pod with the workflow's service account instead: docs/compat.md).
type Resources struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
}

// runResources moves each resource node on and records what changed on
// the workflow object, then asks for a reconcile that sees it.
func (d *driver) runResources(ctx context.Context, obj *corev1.ConfigMap, obs Observed, runs []ResourceToRun) (*corev1.ConfigMap, error) {
	changed := false
	for _, run := range runs {
		st, err := d.runResource(ctx, obj, run, obs.Now)
		if err != nil {
			return obj, err
		}
		if st != nil {
			obs.Resources[run.Node] = *st
			changed = true
		}
	}
	if !changed {
		return obj, nil
	}
	obj, err := d.annotate(ctx, obj, map[string]string{AnnotationResources: mustJSON(obs.Resources)})
	if err == nil {
		d.poke()
	}
	return obj, err
}

// runResource moves a resource node on: it acts once, then checks the
// object against the node's conditions. It returns the node's new state,
// or nil when nothing changed.
func (d *driver) runResource(ctx context.Context, wfObj *corev1.ConfigMap, run ResourceToRun, now time.Time) (*ResourceState, error) {
	st := run.State
	if st == nil {
		st = &ResourceState{Phase: Running, StartedAt: now}
	}
	if d.cfg.Resources == nil {
		return st.finish(Error, now, "resource templates need a dynamic client"), nil
	}
	a, err := compile.NewResourceAction(run.Template.Resource)
	if err != nil {
		return st.finish(Failed, now, err.Error()), nil
	}
	onWorkflow := actsOnWorkflow(a)
	var ri dynamic.ResourceInterface
	if !onWorkflow {
		if ri, err = d.resourceClient(a); err != nil {
			return st.finish(Failed, now, err.Error()), nil
		}
	}
	// follow watches the object the node acted on.
	follow := func() (live *unstructured.Unstructured, found, synced bool) {
		if !onWorkflow {
			return d.watchObject(ctx, run.Node, ri, st.Object)
		}
		cm, found, synced := d.watchChild(ctx, run.Node, st.Object)
		if !found {
			return nil, false, synced
		}
		return workflowView(cm), true, true
	}
	var live *unstructured.Unstructured
	if run.State == nil {
		if onWorkflow {
			live, err = d.actOnWorkflow(ctx, wfObj, run.Node, a, run.Template.Resource.Manifest)
		} else {
			live, err = d.act(ctx, ri, wfObj, run.Node, a)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return st.finish(Failed, now, err.Error()), nil
		}
		if a.Action == "delete" {
			st.Outputs = defaultOutputs(run.Template)
			return st.finish(Succeeded, now, ""), nil
		}
		st.Object = &ObjectRef{APIVersion: live.GetAPIVersion(), Kind: live.GetKind(), Namespace: live.GetNamespace(), Name: live.GetName()}
	} else {
		var found, synced bool
		if live, found, synced = follow(); !synced {
			return nil, nil
		}
		if !found {
			return st.finish(Failed, now, fmt.Sprintf("The resource has been deleted while its status was still being checked. Will not be retried: %s %q not found", st.Object.Kind, st.Object.Name)), nil
		}
	}
	failed, done := matchConditions(live, a.Success, a.Failure)
	switch {
	case failed != "":
		d.stopWatch(run.Node)
		return st.finish(Failed, now, failed), nil
	case !done:
		if run.State == nil {
			follow()
			return st, nil
		}
		return nil, nil
	}
	d.stopWatch(run.Node)
	if st.Outputs, err = resourceOutputs(run.Template, live); err != nil {
		return st.finish(Failed, now, err.Error()), nil
	}
	return st.finish(Succeeded, now, ""), nil
}

func (s *ResourceState) finish(phase Phase, now time.Time, message string) *ResourceState {
	s.Phase, s.Message, s.FinishedAt = phase, message, &now
	return s
}

// resourceClient finds the API resource an action's object is of, from
// its manifest or its flags. A namespaced object without a namespace goes
// in the workflow's, as kubectl in Argo's pod would put it.
func (d *driver) resourceClient(a *compile.ResourceAction) (dynamic.ResourceInterface, error) {
	mapper := d.cfg.Resources.Mapper
	var mapping *meta.RESTMapping
	var err error
	namespace := d.cfg.Namespace
	if a.Object != nil {
		gvk := schema.FromAPIVersionAndKind(a.Object.GetAPIVersion(), a.Object.GetKind())
		if mapping, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return nil, fmt.Errorf("resource %s: %w", a.Object.GetKind(), err)
		}
		if a.Object.GetNamespace() == "" && mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			a.Object.SetNamespace(namespace)
		}
		namespace = a.Object.GetNamespace()
	} else {
		gvr, gr := schema.ParseResourceArg(a.Flags.Type)
		var gvk schema.GroupVersionKind
		if gvr != nil {
			gvk, err = mapper.KindFor(*gvr)
		}
		if gvr == nil || err != nil {
			gvk, err = mapper.KindFor(gr.WithVersion(""))
		}
		if err != nil {
			return nil, fmt.Errorf("resource type %q: %w", a.Flags.Type, err)
		}
		if mapping, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return nil, fmt.Errorf("resource type %q: %w", a.Flags.Type, err)
		}
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		return d.cfg.Resources.Dynamic.Resource(mapping.Resource), nil
	}
	return d.cfg.Resources.Dynamic.Resource(mapping.Resource).Namespace(namespace), nil
}

// act performs a resource template's action. Each action is safe to
// repeat after a crash: create finds what an earlier attempt created by
// its labels, the others act by name.
func (d *driver) act(ctx context.Context, ri dynamic.ResourceInterface, wfObj *corev1.ConfigMap, node string, a *compile.ResourceAction) (*unstructured.Unstructured, error) {
	obj, name := a.Object, a.Flags.Name
	if obj != nil {
		name = obj.GetName()
	}
	if a.SetOwnerReference && obj != nil {
		obj.SetOwnerReferences(append(obj.GetOwnerReferences(), metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap",
			Name: wfObj.Name, UID: wfObj.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}))
	}
	validation := ""
	if a.Flags.NoValidate {
		validation = metav1.FieldValidationIgnore
	}
	var live *unstructured.Unstructured
	err := retry.OnError(retry.DefaultBackoff, transient, func() error {
		var err error
		switch {
		case a.Action == "get":
			live, err = ri.Get(ctx, name, metav1.GetOptions{})
		case a.Action == "create" && obj != nil:
			live, err = createObject(ctx, ri, wfObj, node, obj, validation)
		case a.Action == "apply" && obj != nil:
			live, err = ri.Apply(ctx, name, obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		case a.Action == "replace" && obj != nil:
			live, err = ri.Update(ctx, obj, metav1.UpdateOptions{FieldManager: FieldManager, FieldValidation: validation})
		case a.Action == "patch":
			live, err = patch(ctx, ri, a, name, validation)
		case a.Action == "delete" && a.Flags.Selector != "":
			err = ri.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: a.Flags.Selector})
		case a.Action == "delete":
			err = ri.Delete(ctx, name, metav1.DeleteOptions{})
			if apierrors.IsNotFound(err) {
				err = nil // kubectl delete --ignore-not-found, as Argo runs it
			}
		default:
			err = fmt.Errorf("resource action %s needs a manifest with apiVersion and kind", a.Action)
		}
		return err
	})
	return live, err
}

func createObject(ctx context.Context, ri dynamic.ResourceInterface, wfObj *corev1.ConfigMap, node string, obj *unstructured.Unstructured, validation string) (*unstructured.Unstructured, error) {
	mine := labels.Set{compile.LabelCreatedByWorkflow: string(wfObj.UID), compile.LabelCreatedByNode: fmt.Sprint(compile.NodeHash(node))}
	if obj.GetName() == "" {
		found, err := ri.List(ctx, metav1.ListOptions{LabelSelector: mine.String()})
		if err != nil {
			return nil, err
		}
		if len(found.Items) > 0 {
			return &found.Items[0], nil
		}
	}
	l := obj.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	for k, v := range mine {
		l[k] = v
	}
	obj.SetLabels(l)
	live, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager, FieldValidation: validation})
	if apierrors.IsAlreadyExists(err) {
		existing, getErr := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if getErr == nil && labels.SelectorFromSet(mine).Matches(labels.Set(existing.GetLabels())) {
			return existing, nil // created by this node before a crash
		}
	}
	return live, err
}

func patch(ctx context.Context, ri dynamic.ResourceInterface, a *compile.ResourceAction, name, validation string) (*unstructured.Unstructured, error) {
	body := a.Patch
	if body == nil {
		var err error
		if body, err = json.Marshal(a.Object.Object); err != nil {
			return nil, err
		}
	}
	pt := map[string]types.PatchType{"strategic": types.StrategicMergePatchType, "merge": types.MergePatchType, "json": types.JSONPatchType}[a.MergeStrategy]
	if pt == "" {
		return nil, fmt.Errorf("mergeStrategy %q is not one of strategic, merge, json", a.MergeStrategy)
	}
	return ri.Patch(ctx, name, pt, body, metav1.PatchOptions{FieldManager: FieldManager, FieldValidation: validation})
}

// transient errors are retried, as Argo's executor retries kubectl.
func transient(err error) bool {
	return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
		apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) || errors.Is(err, context.DeadlineExceeded)
}

// defaultOutputs are a resource node's outputs when it has no object.
func defaultOutputs(t *wfv1.Template) map[string]string {
	out := map[string]string{}
	for _, p := range t.Outputs.Parameters {
		out[p.Name] = ""
		if p.ValueFrom != nil && p.ValueFrom.Default != nil {
			out[p.Name] = p.ValueFrom.Default.String()
		}
	}
	return out
}
