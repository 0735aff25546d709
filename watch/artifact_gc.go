package watch

import (
	"context"
	"iter"
	"maps"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Artifact GC OnWorkflowCompletion (compile.AnnotationGCOnCompletion): once
// the workflow has ended, the driver deletes the files of the artifacts
// each Job names from the Job's artifacts ConfigMap, and the ConfigMap
// when nothing else is left in it. It does so before it records the
// workflow's end (reconcile), never after: a recorded end means the
// artifacts are gone (nothing left), and a driver that dies before then
// leaves a workflow that has not ended, which whoever takes it over ends,
// collecting again first. Collecting twice is no harm (a key or
// ConfigMap already gone is no error), and nothing goes before the
// workflow has ended: no node is left to read it (nothing lost).
// OnWorkflowDeletion needs no driver: each ConfigMap is owned by its Job,
// owned by the workflow object.

// collectArtifacts deletes, from every Job's artifacts ConfigMap, the
// artifacts the Job names for deletion on completion, several at once.
func (d *driver) collectArtifacts(ctx context.Context) error {
	var g errgroup.Group
	g.SetLimit(createParallelism)
	job := &batchv1.Job{}
	for _, c := range d.jobs.cached() {
		c.into(job)
		names := job.Annotations[compile.AnnotationGCOnCompletion]
		if names == "" {
			continue
		}
		cm, gone := ArtifactsConfigMapName(job.Name), setOf(strings.Split(names, ","))
		g.Go(func() error { return d.deleteArtifactFiles(ctx, cm, gone) })
	}
	return g.Wait()
}

// deleteArtifactFiles removes the files of the artifacts gone from the
// ConfigMap name, or deletes it when they were all it held. Each write
// carries the version it read: the driver is its only writer, but a
// conflict is read again and retried, never overwritten. A merge patch,
// not an update: the driver's role may patch ConfigMaps (docs/rbac.yaml).
func (d *driver) deleteArtifactFiles(ctx context.Context, name string, gone map[string]bool) error {
	cms := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace)
	return retry.OnError(retry.DefaultBackoff, func(err error) bool { return apierrors.IsConflict(err) || transient(err) }, func() error {
		cm, err := cms.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		removed, left := artifactFiles(cm, gone)
		switch {
		case len(removed) == 0:
			return nil
		case left == 0:
			err = cms.Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &cm.UID, ResourceVersion: &cm.ResourceVersion}})
		default:
			_, err = cms.Patch(ctx, name, types.MergePatchType, removalPatch(cm, removed), metav1.PatchOptions{FieldManager: FieldManager})
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// artifactFiles lists the keys of cm holding files of the artifacts gone
// (a file is the key ARTIFACT.N, see artifactsConfigMap), and counts the
// keys left.
func artifactFiles(cm *corev1.ConfigMap, gone map[string]bool) (removed []string, left int) {
	for _, keys := range []iter.Seq[string]{maps.Keys(cm.BinaryData), maps.Keys(cm.Data)} {
		for key := range keys {
			if gone[artifactOfKey(key)] {
				removed = append(removed, key)
			} else {
				left++
			}
		}
	}
	slices.Sort(removed)
	return removed, left
}

// removalPatch removes keys from cm, if it is still the version read.
func removalPatch(cm *corev1.ConfigMap, keys []string) []byte {
	null := map[string]any{}
	for _, k := range keys {
		null[k] = nil
	}
	patch := map[string]any{"metadata": map[string]any{"resourceVersion": cm.ResourceVersion}, "binaryData": null, "data": null}
	return []byte(mustJSON(patch))
}

// artifactOfKey is the artifact whose file a ConfigMap key holds.
func artifactOfKey(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[:i]
	}
	return key
}

func setOf(items []string) map[string]bool {
	out := make(map[string]bool, len(items))
	for _, s := range items {
		out[s] = true
	}
	return out
}

// markCollected sets Deleted, as Argo's status says it, on the artifacts
// of status that the Jobs named for deletion on completion: Read calls it
// once the workflow's end is recorded, which comes after they went.
func markCollected(status *Status, jobs []batchv1.Job) {
	gone := map[string]map[string]bool{} // ConfigMap → artifacts
	for i := range jobs {
		if names := jobs[i].Annotations[compile.AnnotationGCOnCompletion]; names != "" {
			gone[ArtifactsConfigMapName(jobs[i].Name)] = setOf(strings.Split(names, ","))
		}
	}
	if len(gone) == 0 {
		return
	}
	mark := func(o *Outputs) {
		if o == nil {
			return
		}
		for i := range o.Artifacts {
			o.Artifacts[i].Deleted = collected(o.Artifacts[i], gone)
		}
	}
	mark(status.Outputs)
	for _, n := range status.Nodes {
		mark(n.Outputs)
	}
}

// collected reports whether every file of a was deleted; an artifact
// with no file by its own name, which a step passing it on may change.
func collected(a compile.StoredArtifact, gone map[string]map[string]bool) bool {
	if len(a.Files) == 0 {
		return gone[a.ConfigMap][a.Name]
	}
	for _, f := range a.Files {
		cm := a.ConfigMap
		if f.ConfigMap != "" {
			cm = f.ConfigMap
		}
		if !gone[cm][artifactOfKey(f.Key)] {
			return false
		}
	}
	return true
}
