package watch

import (
	"context"
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/executor"
)

// Output artifacts (compile.withArtifactExecutor): the pod's sidecar
// prints what the executor saved when the kubelet stops it, after main;
// the driver reads that log once the sidecar has ended and keeps each
// artifact's files in a ConfigMap owned by the node's Job, so that they
// live as long as the Job's result that names them.

// savesArtifacts reports a Job whose pod saves output artifacts: it
// decides reading the sidecar's log (an API call per pod), while
// hasArtifactsSidecar decides waiting for the sidecar to stop. They differ
// for a containerSet whose sidecar only reads output files, which it
// reports in its termination message, leaving no log worth reading.
func savesArtifacts(job *batchv1.Job) bool {
	return job.Annotations[compile.AnnotationOutputArtifacts] != ""
}

// hasArtifactsSidecar reports a Job whose pod runs the artifacts sidecar:
// it saves artifacts, or reads a containerSet's output files. It decides
// waiting for the sidecar's outputs (artifactsPending); savesArtifacts
// decides reading them as artifacts.
func hasArtifactsSidecar(job *batchv1.Job) bool {
	for _, c := range job.Spec.Template.Spec.InitContainers {
		if c.Name == compile.ArtifactsContainerName {
			return true
		}
	}
	return false
}

// artifactsPending reports a running pod whose artifacts sidecar has not
// printed them yet: main has ended, but the pod has not.
func artifactsPending(job *batchv1.Job, pod *corev1.Pod) bool {
	if !hasArtifactsSidecar(job) || pod.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range pod.Status.InitContainerStatuses {
		if c.Name == compile.ArtifactsContainerName {
			return c.State.Terminated == nil
		}
	}
	return true
}

// ArtifactsConfigMapName is the ConfigMap holding the output artifacts of
// a Job's pod.
func ArtifactsConfigMapName(job string) string { return job + "-artifacts" }

// saveArtifacts keeps what the pod leaves as artifacts in the Job's
// artifacts ConfigMap, one for both: the output artifacts its sidecar
// printed, when it saves some and main has ended, then the logs archived
// (archivedLogContainers) in the room the former leave. It sets
// r.Artifacts. An artifact the executor could not save fails a node that
// succeeded, as Argo's does.
func (d *driver) saveArtifacts(ctx context.Context, job *batchv1.Job, pod *corev1.Pod, r *PodResult) error {
	var records []executor.Record
	if savesArtifacts(job) && r.ExitCode != nil {
		var err error
		if records, err = d.readArtifactRecords(ctx, pod); err != nil {
			return err
		}
	}
	var logs []archivedLog
	if containers := archivedLogContainers(job, pod); len(containers) > 0 {
		var err error
		if logs, err = d.readArchivedLogs(ctx, pod, containers, maxConfigMapBytes-recordsBytes(records)); err != nil {
			return err
		}
	}
	cm, stored, failures := artifactsConfigMap(job, records, logs)
	setArtifactKeys(job, stored)
	if len(stored) > 0 {
		_, err := d.cs.CoreV1().ConfigMaps(job.Namespace).Create(ctx, cm, metav1.CreateOptions{FieldManager: FieldManager})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("keeping the output artifacts of pod %s: %w", pod.Name, err)
		}
	}
	r.Artifacts = stored
	if len(failures) > 0 && r.Phase == Succeeded {
		r.Phase, r.Message = Error, "failed to save outputs: "+strings.Join(failures, "; ")
	}
	return nil
}

// readArtifactRecords reads what the pod's artifacts sidecar printed.
func (d *driver) readArtifactRecords(ctx context.Context, pod *corev1.Pod) ([]executor.Record, error) {
	stream, err := d.cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: compile.ArtifactsContainerName}).Stream(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the output artifacts of pod %s: %w", pod.Name, err)
	}
	defer stream.Close()
	records, err := executor.ParseLog(stream)
	if err != nil {
		return nil, fmt.Errorf("reading the output artifacts of pod %s: %w", pod.Name, err)
	}
	return records, nil
}

// recordsBytes is the data records take in the ConfigMap.
func recordsBytes(records []executor.Record) int {
	n := 0
	for _, rec := range records {
		for _, f := range rec.Files {
			n += len(f.Data)
		}
	}
	return n
}

// AnnotationDroppedLogBytes on an artifacts ConfigMap says, for each
// archived log that did not fit whole, how many of its first bytes were
// dropped: "main-logs=1234", comma-separated.
const AnnotationDroppedLogBytes = compile.Domain + "/dropped-log-bytes"

// artifactsConfigMap is the ConfigMap that keeps records and logs, the
// artifacts as the node's outputs name them (the logs last, each as the
// file artifact CONTAINER-logs), and the records' errors.
func artifactsConfigMap(job *batchv1.Job, records []executor.Record, logs []archivedLog) (*corev1.ConfigMap, []compile.StoredArtifact, []string) {
	name := ArtifactsConfigMapName(job.Name)
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: job.Namespace,
			Labels: map[string]string{compile.LabelWorkflow: job.Labels[compile.LabelWorkflow], compile.LabelNode: job.Labels[compile.LabelNode]},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID,
				Controller: ptr.To(true)}},
		},
		BinaryData: map[string][]byte{},
	}
	var stored []compile.StoredArtifact
	var failures []string
	for _, rec := range records {
		if rec.Error != "" {
			failures = append(failures, rec.Error)
			continue
		}
		a := compile.StoredArtifact{Name: rec.Name, Path: rec.Path, ConfigMap: name, Dir: rec.Dir}
		for i, f := range rec.Files {
			key := fmt.Sprintf("%s.%d", rec.Name, i)
			cm.BinaryData[key] = f.Data
			a.Files = append(a.Files, compile.StoredFile{Key: key, Path: f.Path, Mode: int32(f.Mode & 0o777)})
		}
		stored = append(stored, a)
	}
	var dropped []string
	for _, l := range logs {
		artifact := compile.LogArtifactName(l.container)
		key := artifact + ".0"
		cm.BinaryData[key] = l.data
		stored = append(stored, compile.StoredArtifact{Name: artifact, ConfigMap: name, Files: []compile.StoredFile{{Key: key, Mode: 0o644}}})
		if l.dropped > 0 {
			dropped = append(dropped, fmt.Sprintf("%s=%d", artifact, l.dropped))
		}
	}
	if dropped != nil {
		cm.Annotations = map[string]string{AnnotationDroppedLogBytes: strings.Join(dropped, ",")}
	}
	return cm, stored, failures
}
