package watch

import (
	"context"
	"fmt"
	"maps"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Retry prepares a failed workflow to run its failed nodes again, as
// `argo retry` does: the Jobs of failed and errored nodes are deleted (with
// their pods, before anything else, so that no driver adopts a failed
// attempt), the resource nodes that failed (and what they created:
// releaseCreated), and the cache lookups and recorded input errors of
// nodes that failed are forgotten, a workflow that erred resolving its
// artifactRepositoryRef resolves it again, and the workflow
// is marked Running again. Succeeded nodes keep their results. The caller
// then drives it. It returns the nodes it reset.
func Retry(ctx context.Context, cs kubernetes.Interface, res *Resources, namespace, name string) ([]string, error) {
	snap, err := Read(ctx, cs, namespace, name)
	if err != nil {
		return nil, err
	}
	switch {
	case snap.Holder != "":
		return nil, fmt.Errorf("workflow %s is being driven by %s", name, snap.Holder)
	case snap.Status.Phase == Succeeded:
		return nil, fmt.Errorf("workflow %s has Succeeded: nothing to retry", name)
	case !snap.Status.Phase.Fulfilled():
		return nil, fmt.Errorf("workflow %s is %s: only a Failed or Error workflow can be retried", name, snap.Status.Phase)
	}
	var jobs, reset, failed []string
	for _, n := range snap.Status.Nodes {
		if n.Phase == Failed || n.Phase == Error {
			failed = append(failed, n.ID)
			if n.Job != "" {
				jobs = append(jobs, n.Job)
			}
			if n.Type == compile.NodePod || n.Type == compile.NodeResource || n.Type == compile.NodeSuspend || isHTTP(n) {
				reset = append(reset, n.Name)
			}
		}
	}
	slices.Sort(reset)
	if err := unscheduleDeletion(ctx, cs, namespace, name); err != nil {
		return nil, fmt.Errorf("workflow %s: undoing its ttlStrategy: %w", name, err)
	}
	if err := deleteJobs(ctx, cs, namespace, name, jobs); err != nil {
		return nil, err
	}
	recorded, err := observedFromObject(snap.Object, nowFunc())
	if err != nil {
		return nil, err
	}
	repository, err := retryArtifactRepository(ctx, cs, snap.Object, snap.Workflow.Spec.ArtifactRepositoryRef)
	if err != nil {
		return nil, err
	}
	for _, st := range recorded.Resources {
		if st.Phase == Failed || st.Phase == Error {
			if err := releaseCreated(ctx, cs, res, snap.Object.UID, st.Object); err != nil {
				return nil, err
			}
		}
	}
	err = steerEnded(ctx, cs, namespace, name, func(obj *corev1.ConfigMap) (map[string]any, error) {
		obs, err := observedFromObject(obj, nowFunc())
		if err != nil {
			return nil, err
		}
		for node, st := range obs.Resources {
			if st.Phase == Failed || st.Phase == Error {
				delete(obs.Resources, node)
			}
		}
		values := map[string]any{
			AnnotationPhase: string(Running), AnnotationMessage: nil, AnnotationFinishedAt: nil,
			AnnotationCreateErrors: nil, AnnotationShutdown: nil, AnnotationSuspended: nil,
			AnnotationResources: mustJSON(obs.Resources),
		}
		maps.Copy(values, repository)
		if len(obs.Memos) > 0 {
			// A memoized node that failed looks its key up again, as a
			// node Argo's retry resets does.
			for _, id := range failed {
				delete(obs.Memos, id)
			}
			values[AnnotationMemos] = mustJSON(obs.Memos)
		}
		if len(obs.InputErrors) > 0 {
			// A node whose key-only input named nothing looks it up
			// again: what the workflow saved may have changed.
			for _, id := range failed {
				delete(obs.InputErrors, id)
			}
			values[AnnotationInputErrors] = mustJSON(obs.InputErrors)
		}
		return values, nil
	})
	return reset, err
}

// deleteJobs deletes Jobs with their pods and waits until they are gone.
func deleteJobs(ctx context.Context, cs kubernetes.Interface, namespace, workflow string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	jobs := cs.BatchV1().Jobs(namespace)
	foreground := metav1.DeletePropagationForeground
	for _, n := range names {
		if err := jobs.Delete(ctx, n, metav1.DeleteOptions{PropagationPolicy: &foreground}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	selector := labels.Set{compile.LabelWorkflow: workflow}.String()
	lw := selectedListWatch(jobs.List, jobs.Watch, func(o *metav1.ListOptions) { o.LabelSelector = selector })
	remaining := map[string]bool{}
	for _, n := range names {
		remaining[n] = true
	}
	// The store at sync says which are gone already; each Deleted event
	// then removes one.
	gone := func(store cache.Store) (bool, error) {
		for n := range remaining {
			if _, exists, _ := store.GetByKey(namespace + "/" + n); !exists {
				delete(remaining, n)
			}
		}
		return len(remaining) == 0, nil
	}
	deleted := func(ev apiwatch.Event) (bool, error) {
		if job, ok := ev.Object.(*batchv1.Job); ok && ev.Type == apiwatch.Deleted {
			delete(remaining, job.Name)
		}
		return len(remaining) == 0, nil
	}
	_, err := watchtools.UntilWithSync(ctx, cache.ToListWatcherWithWatchListSemantics(lw, cs), &batchv1.Job{}, gone, deleted)
	return err
}
