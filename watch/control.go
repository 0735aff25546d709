package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Commands that steer a running workflow write a decision on its object;
// its driver sees the change through its informer and acts on it. Each
// write is conditional on the resourceVersion it read, and retried.

// Shutdown strategies, as Argo names them.
const (
	Stop      = "Stop"
	Terminate = "Terminate"
)

// Suspend holds back every node not started yet, as `argo suspend` does;
// running nodes go on. Resume undoes it.
func Suspend(ctx context.Context, cs kubernetes.Interface, namespace, name string) error {
	return steer(ctx, cs, namespace, name, func(*corev1.ConfigMap) (map[string]any, error) {
		return map[string]any{AnnotationSuspended: "true"}, nil
	})
}

// Shutdown stops a workflow with Argo's Stop or Terminate strategy:
// nothing new starts (but, with Stop, the exit handler), running pods are
// stopped, and the workflow fails with "Stopped with strategy '…'".
func Shutdown(ctx context.Context, cs kubernetes.Interface, namespace, name, strategy string) error {
	return steer(ctx, cs, namespace, name, func(*corev1.ConfigMap) (map[string]any, error) {
		return map[string]any{AnnotationShutdown: strategy}, nil
	})
}

// Resume lifts a suspend and resumes the suspend nodes a workflow is
// waiting at: all of them, or those whose fields match selector (Argo's
// --node-field-selector, over id, name, displayName, templateName and
// phase). With a selector it returns how many it resumed, and none is an
// error.
func Resume(ctx context.Context, cs kubernetes.Interface, namespace, name string, now time.Time, selector fields.Selector) (int, error) {
	all := selector == nil || selector.Empty()
	var waiting []*Node
	if !all {
		snap, err := Read(ctx, cs, namespace, name)
		if err != nil {
			return 0, err
		}
		for _, n := range snap.Status.Nodes {
			if n.Type == compile.NodeSuspend && n.Phase == Running && selector.Matches(nodeFields(n)) {
				waiting = append(waiting, n)
			}
		}
	}
	resumed := 0
	err := steer(ctx, cs, namespace, name, func(obj *corev1.ConfigMap) (map[string]any, error) {
		values := map[string]any{AnnotationSuspended: nil}
		if all {
			values[AnnotationResumeAll] = now.UTC().Format(time.RFC3339Nano)
			return values, nil
		}
		obs, err := observedFromObject(obj, now)
		if err != nil {
			return nil, err
		}
		resumed = 0
		for _, n := range waiting {
			st, started := obs.Suspends[n.Name]
			if !started || st.ResumedAt != nil {
				continue
			}
			st.ResumedAt = &now
			obs.Suspends[n.Name] = st
			resumed++
		}
		if resumed == 0 {
			return nil, fmt.Errorf("workflow %s: no suspended node matches %s", name, selector)
		}
		values[AnnotationSuspends] = mustJSON(obs.Suspends)
		return values, nil
	})
	return resumed, err
}

// nodeFields are the fields a node selector can match.
func nodeFields(n *Node) fields.Set {
	return fields.Set{"id": n.ID, "name": n.Name, "displayName": n.DisplayName, "templateName": n.Template, "phase": string(n.Phase)}
}

// steer writes annotations computed from a fresh copy of a running
// workflow's object (a nil value removes one).
func steer(ctx context.Context, cs kubernetes.Interface, namespace, name string, change func(*corev1.ConfigMap) (map[string]any, error)) error {
	return write(ctx, cs, namespace, name, true, change)
}

// steerEnded is steer for a workflow that has ended.
func steerEnded(ctx context.Context, cs kubernetes.Interface, namespace, name string, change func(*corev1.ConfigMap) (map[string]any, error)) error {
	return write(ctx, cs, namespace, name, false, change)
}

func write(ctx context.Context, cs kubernetes.Interface, namespace, name string, running bool, change func(*corev1.ConfigMap) (map[string]any, error)) error {
	cms := cs.CoreV1().ConfigMaps(namespace)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := cms.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if obj.Labels[compile.LabelRole] != compile.RoleWorkflow {
			return fmt.Errorf("configmap %s/%s: %w", namespace, name, ErrNotWorkflow)
		}
		if p := Phase(obj.Annotations[AnnotationPhase]); running && p.Fulfilled() {
			return fmt.Errorf("workflow %s has already ended (%s)", name, p)
		}
		values, err := change(obj)
		if err != nil {
			return err
		}
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"resourceVersion": obj.ResourceVersion, "annotations": values}})
		if err != nil {
			return err
		}
		_, err = cms.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
		return err
	})
}
