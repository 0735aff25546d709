package watch

import (
	"context"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"golang.org/x/sync/errgroup"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// resultWrites are the results of ended pods that observe left being
// written on their Jobs while the reconcile acts on them: a pod's end
// then costs one round trip (the next Job's creation), not two, before
// what follows it starts.
//
// Deciding before the write lands loses nothing. The result is already
// kept by the pod, which nothing deletes before its result is on its Job
// (pod GC waits for that; the Job controller keeps an ended pod), and
// which the driver read in full, its output included, before deciding.
// A driver that dies before the write lands leaves the pod for the next
// one, which reads the same result, decides the same, and adopts the
// objects this one created under the same names. Results read together
// with a write that must land first (a daemon's readiness, a stop) are
// written before anything is decided, as before.
type resultWrites struct {
	g       errgroup.Group
	updates []*jobUpdate
	waited  bool
}

// start writes the results of the updates that wait for it.
func (w *resultWrites) start(ctx context.Context, d *driver, updates []*jobUpdate) {
	w.g.SetLimit(createParallelism)
	for _, u := range updates {
		if !u.writeLater {
			continue
		}
		w.updates = append(w.updates, u)
		w.g.Go(func() error {
			raw, err := d.writeResult(ctx, u.job, u.r)
			if err == nil {
				u.recorded = raw
			}
			return err
		})
	}
}

// wait returns once every write has ended, the first error if one
// failed, and notes the results written (see driver.recorded). Waiting
// again returns nil at once.
func (w *resultWrites) wait(d *driver) error {
	if w.waited {
		return nil
	}
	w.waited = true
	err := w.g.Wait()
	d.noteRecorded(w.updates)
	return err
}

// readOutput reads what an ended pod's result needs from the pod's logs:
// its output, when the workflow reads outputs.result or the node is an
// HTTP template's, and its output artifacts and archived logs, which it
// keeps.
func (d *driver) readOutput(ctx context.Context, job *batchv1.Job, pod *corev1.Pod, r *PodResult) error {
	if (d.needResult || compile.IsHTTPJob(job)) && pod != nil && r.ExitCode != nil {
		out, err := readResult(ctx, d.cs, pod)
		if err != nil {
			return err
		}
		r.Result = &out
	}
	if pod != nil && (savesArtifacts(job) && r.ExitCode != nil || archivedLogContainers(job, pod) != nil) {
		return d.saveArtifacts(ctx, job, pod, r)
	}
	return nil
}

// writeResult writes an ended pod's result on its Job, once. It returns
// the annotation written ("" if the Job is gone).
func (d *driver) writeResult(ctx context.Context, job *batchv1.Job, r PodResult) (string, error) {
	raw := mustJSON(r)
	patch := map[string]any{"metadata": map[string]any{"annotations": map[string]string{AnnotationResult: raw}}}
	_, err := d.cs.BatchV1().Jobs(job.Namespace).Patch(ctx, job.Name, types.MergePatchType, []byte(mustJSON(patch)), metav1.PatchOptions{FieldManager: FieldManager})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	return raw, err
}
