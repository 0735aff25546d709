package watch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// A resource template whose manifest is an Argo Workflow starts a child
// workflow, as Argo's controller would run the object kubectl created:
// the driver creates the child's workflow object and drives it from the
// same process. The node sees the child as an Argo Workflow whose status
// holds the phase, message and times the child's driver records, so
// `successCondition: status.phase == Succeeded` waits for it to end.

// actsOnWorkflow tells a resource action on an Argo Workflow.
func actsOnWorkflow(a *compile.ResourceAction) bool {
	return a.Object != nil && compile.IsWorkflowManifest(a.Object.GetAPIVersion(), a.Object.GetKind())
}

// childLabels find the child a node created, after a crash too.
func childLabels(parent *corev1.ConfigMap, node string) labels.Set {
	return labels.Set{compile.LabelRole: compile.RoleWorkflow, compile.LabelCreatedByWorkflow: string(parent.UID),
		compile.LabelCreatedByNode: fmt.Sprint(compile.NodeHash(node))}
}

// actOnWorkflow performs a resource action on an Argo Workflow: create
// starts a child, get reads a workflow (to wait on it), delete deletes
// one. It returns the workflow as Argo's object, nil when deleted.
func (d *driver) actOnWorkflow(ctx context.Context, parent *corev1.ConfigMap, node string, a *compile.ResourceAction, manifest string) (*unstructured.Unstructured, error) {
	namespace := cmp.Or(a.Object.GetNamespace(), d.cfg.Namespace)
	if a.Action == "create" {
		return d.createChild(ctx, parent, namespace, node, a, manifest)
	}
	name := a.Object.GetName()
	obj, err := d.cs.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	// Argo's message names the Workflow, whatever kubectl-wf stores it as.
	if apierrors.IsNotFound(err) || (err == nil && obj.Labels[compile.LabelRole] != compile.RoleWorkflow) {
		err = apierrors.NewNotFound(schema.GroupResource{Group: wfv1.Group, Resource: "workflows"}, name)
	}
	switch {
	case a.Action == "get" && err == nil:
		return workflowView(obj), nil
	case a.Action == "delete" && apierrors.IsNotFound(err):
		return nil, nil // as Argo runs kubectl delete: --ignore-not-found
	case a.Action == "delete" && err == nil:
		// Its Jobs and ConfigMaps are owned by it: they go with it.
		return nil, d.cs.CoreV1().ConfigMaps(namespace).Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &obj.UID}})
	case err != nil:
		return nil, err
	}
	return nil, fmt.Errorf("not supported: the %s action on an %s Workflow: kubectl-wf acts on a Workflow with create (a child workflow), get or delete only", a.Action, wfv1.Group)
}

// createChild creates the child workflow a node's manifest describes,
// unless this node already did (it is found by its labels), and starts
// driving it. The manifest is linted as `kubectl wf submit` lints a file:
// a child that would not run is the node's error, and nothing is created.
func (d *driver) createChild(ctx context.Context, parent *corev1.ConfigMap, namespace, node string, a *compile.ResourceAction, manifest string) (*unstructured.Unstructured, error) {
	mine := childLabels(parent, node)
	found, err := d.cs.CoreV1().ConfigMaps(namespace).List(ctx, metav1.ListOptions{LabelSelector: mine.String()})
	if err != nil {
		return nil, err
	}
	if len(found.Items) > 0 {
		child := &found.Items[0]
		d.driveChild(ctx, child.Namespace, child.Name)
		return workflowView(child), nil
	}
	docs, diags := compile.ParseChildWorkflow(manifest)
	if diags.HasErrors() {
		msgs := make([]string, 0, len(diags))
		for _, e := range diags.Errors() {
			msgs = append(msgs, e.String())
		}
		return nil, fmt.Errorf("the Workflow it creates is not valid: %s", strings.Join(msgs, "; "))
	}
	meta := &metav1.ObjectMeta{Labels: mine}
	if a.SetOwnerReference {
		meta.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: parent.Name, UID: parent.UID,
			Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}
	}
	_, child, err := create(ctx, d.cs, docs[0], compile.Options{Namespace: namespace}, false, meta)
	if err != nil {
		return nil, err
	}
	d.driveChild(ctx, child.Namespace, child.Name)
	return workflowView(child), nil
}

// workflowView shows a child's workflow object as the Argo Workflow a
// resource node's conditions and outputs read: its name, labels and
// status (phase, message, startedAt, finishedAt, progress).
func workflowView(cm metav1.Object) *unstructured.Unstructured {
	notes := cm.GetAnnotations()
	status := map[string]any{}
	for field, key := range map[string]string{"phase": AnnotationPhase, "message": AnnotationMessage,
		"startedAt": AnnotationStartedAt, "finishedAt": AnnotationFinishedAt, "progress": AnnotationProgress} {
		if v := notes[key]; v != "" {
			status[field] = v
		}
	}
	meta := map[string]any{"name": cm.GetName(), "namespace": cm.GetNamespace(), "uid": string(cm.GetUID())}
	if l := cm.GetLabels(); len(l) > 0 {
		m := map[string]any{}
		for k, v := range l {
			m[k] = v
		}
		meta["labels"] = m
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": wfv1.APIVersion, "kind": wfv1.KindWorkflow, "metadata": meta, "status": status}}
}

// driveChild drives a child workflow from this process until it ends,
// unless this driver already does. A child another process holds is
// left to it. Its end wakes the parent, which waits for its children
// before it returns.
func (d *driver) driveChild(ctx context.Context, namespace, name string) {
	key := namespace + "/" + name
	if _, ok := d.children[key]; ok {
		return
	}
	if d.children == nil {
		d.children = map[string]chan struct{}{}
	}
	done := make(chan struct{})
	d.children[key] = done
	cfg := d.cfg
	cfg.Namespace, cfg.Name, cfg.OnStatus = namespace, name, nil
	go func() {
		defer d.poke()
		defer close(done)
		var backoff time.Duration
		for {
			status, err := Drive(ctx, d.cs, cfg)
			if !IsTransient(err) || ctx.Err() != nil {
				var held *HeldError
				if d.cfg.OnChild != nil && !errors.As(err, &held) && ctx.Err() == nil {
					d.cfg.OnChild(namespace, name, status, err)
				}
				return
			}
			backoff = min(max(2*backoff, 500*time.Millisecond), 8*time.Second)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
	}()
}

// driveUnfinishedChildren drives the children an earlier driver of this
// workflow started and did not see to their end: those its resource
// nodes recorded. (A child created just before a crash, and not yet
// recorded, is found by its labels when its node acts again.)
func (d *driver) driveUnfinishedChildren(ctx context.Context, parent *corev1.ConfigMap) error {
	recorded, err := observedFromObject(parent, d.cfg.Now())
	if err != nil {
		return err
	}
	for _, st := range recorded.Resources {
		ref := st.Object
		if ref == nil || !compile.IsWorkflowManifest(ref.APIVersion, ref.Kind) {
			continue
		}
		child, err := d.cs.CoreV1().ConfigMaps(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return fmt.Errorf("child workflow %s: %w", ref.Name, err)
		}
		// A workflow a get waited on is another's to drive.
		if child.Labels[compile.LabelCreatedByWorkflow] == string(parent.UID) && !Phase(child.Annotations[AnnotationPhase]).Fulfilled() {
			d.driveChild(ctx, child.Namespace, child.Name)
		}
	}
	return nil
}

// childrenRunning says whether a child this driver drives has not ended.
func (d *driver) childrenRunning() bool {
	for key, done := range d.children {
		select {
		case <-done:
			delete(d.children, key)
		default:
			return true
		}
	}
	return false
}
