package watch

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Archived logs (compile.AnnotationArchiveLogs): when the driver records
// an ended pod's result, it keeps the log of each container the Job names
// as the node's output artifact CONTAINER-logs, in the pod's artifacts
// ConfigMap, beside the artifacts the executor saved.

// maxConfigMapBytes is the most data a ConfigMap holds: the API server
// refuses one whose values add up to more than 1 MiB.
const maxConfigMapBytes = 1 << 20

// archivedLog is one container's archived log, its last bytes when the
// whole did not fit (dropped says how many came before).
type archivedLog struct {
	container string
	data      []byte
	dropped   int64
}

// archivedLogContainers are the containers of pod whose logs are archived:
// those the Job names that have started. One that never started has no
// log, as in Argo, which skips it.
func archivedLogContainers(job *batchv1.Job, pod *corev1.Pod) []string {
	names := job.Annotations[compile.AnnotationArchiveLogs]
	if names == "" || pod == nil {
		return nil
	}
	started := map[string]bool{}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, c := range list {
			started[c.Name] = c.State.Terminated != nil || c.State.Running != nil || c.LastTerminationState.Terminated != nil
		}
	}
	var out []string
	for name := range strings.SplitSeq(names, ",") {
		if started[name] {
			out = append(out, name)
		}
	}
	return out
}

// readArchivedLogs reads the logs of containers of pod in room bytes at
// most in all (archiveLogs).
func (d *driver) readArchivedLogs(ctx context.Context, pod *corev1.Pod, containers []string, room int) ([]archivedLog, error) {
	logs, err := archiveLogs(containers, room, func(container string) (io.ReadCloser, error) {
		return d.cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: container}).Stream(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("archiving the logs of pod %s: %w", pod.Name, err)
	}
	return logs, nil
}

// archiveLogs reads the logs of containers, which open gives, in room
// bytes at most in all: shared equally, a log that needs less leaving the
// rest to those after it; a log that does not fit keeps its last bytes,
// the most recent, which say how the container ended.
func archiveLogs(containers []string, room int, open func(container string) (io.ReadCloser, error)) ([]archivedLog, error) {
	var logs []archivedLog
	for i, name := range containers {
		share := max(room, 0) / (len(containers) - i)
		stream, err := open(name)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", name, err)
		}
		data, dropped, err := lastBytes(stream, share)
		stream.Close()
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", name, err)
		}
		room -= len(data)
		logs = append(logs, archivedLog{container: name, data: data, dropped: dropped})
	}
	return logs, nil
}

// lastBytes reads r to its end and returns its last n bytes, and how many
// came before them. It holds about twice n at most, whatever r's length,
// and moves each byte once at most on the way.
func lastBytes(r io.Reader, n int) ([]byte, int64, error) {
	const chunk = 64 << 10
	limit := 2*n + chunk
	var dropped int64
	buf := make([]byte, 0, min(n, chunk)+chunk)
	for {
		if len(buf) == cap(buf) {
			if cap(buf) < limit {
				buf = slices.Grow(buf, min(cap(buf), limit-cap(buf)))
			} else {
				over := len(buf) - n
				dropped += int64(over)
				buf = buf[:copy(buf, buf[over:])]
			}
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
	}
	if over := len(buf) - n; over > 0 {
		dropped += int64(over)
		buf = buf[over:]
	}
	return buf, dropped, nil
}
