package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// maxResult is how much of a container's output Argo keeps as its result:
// the last 256 KiB.
const maxResult = 256 << 10

// recordedResult reads the result a driver recorded on a Job, if any.
func recordedResult(job *batchv1.Job) (PodResult, bool) {
	raw, ok := job.Annotations[AnnotationResult]
	if !ok {
		return PodResult{}, false
	}
	return decodeResult(raw), true
}

func decodeResult(raw string) PodResult {
	var r PodResult
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return PodResult{Phase: Error, Message: fmt.Sprintf("unreadable result annotation: %v", err)}
	}
	return r
}

// decodedResults keep each Job's recorded result as decoded, with the
// annotation it was decoded from: a driver reads every Job's result on
// every reconcile, and decoding them all again was a good part of its
// garbage on a wide workflow. Results are shared, never written to.
type decodedResults map[string]decodedResult

type decodedResult struct {
	raw    string
	result PodResult
}

// read is recordedResult, decoding an annotation only when it changed.
func (c decodedResults) read(job *batchv1.Job) (PodResult, bool) {
	raw, ok := job.Annotations[AnnotationResult]
	if !ok {
		return PodResult{}, false
	}
	return c.decode(job.Name, raw), true
}

// decode is the result annotation raw of a Job, decoded once.
func (c decodedResults) decode(job, raw string) PodResult {
	if d, ok := c[job]; ok && d.raw == raw {
		return d.result
	}
	r := decodeResult(raw)
	c[job] = decodedResult{raw: raw, result: r}
	return r
}

// podState is what a Job's pod says of the node, before results are read:
// phase, message, times and exit code.
func podState(job *batchv1.Job, pod *corev1.Pod) PodResult {
	r := podStateOf(job, pod)
	if !r.Phase.Completed() && !job.CreationTimestamp.IsZero() {
		created := job.CreationTimestamp.Time
		r.Created = &created
	}
	return r
}

func podStateOf(job *batchv1.Job, pod *corev1.Pod) PodResult {
	if pod == nil {
		for _, c := range job.Status.Conditions {
			if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
				return PodResult{Phase: Error, Message: c.Message}
			}
		}
		return PodResult{Phase: Pending}
	}
	r := PodResult{Pod: pod.Name, HostNodeName: pod.Spec.NodeName}
	if t := pod.Status.StartTime; t != nil {
		start := t.Time
		r.StartedAt = &start
	}
	if names := job.Annotations[compile.AnnotationContainerSet]; names != "" {
		return containerSetState(job, pod, r, strings.Split(names, ","))
	}
	main := mainStatus(pod)
	switch pod.Status.Phase {
	case corev1.PodPending:
		r.Phase = Pending
		if main != nil && main.State.Waiting != nil {
			w := main.State.Waiting
			r.Message = w.Reason
			if stuck(w) {
				// The kubelet would retry for ever; the node fails with
				// its reason instead of the workflow hanging.
				r.Phase, r.Message = Error, fmt.Sprintf("main: %s: %s", w.Reason, w.Message)
				now := time.Now()
				r.FinishedAt = &now
			}
		}
		return r
	case corev1.PodRunning:
		r.Phase = Running
		if main == nil || main.State.Terminated == nil {
			r.Daemoned, r.PodIP = daemonState(job, pod)
			return r
		}
		if artifactsPending(job, pod) {
			return r // its outputs are not all out yet
		}
	}
	// A failed pod with a message of its own (an activeDeadlineSeconds
	// that ran out, an eviction) fails with it, as Argo's controller does.
	if pod.Status.Phase == corev1.PodFailed && pod.Status.Message != "" {
		r.Phase, r.Message = Failed, pod.Status.Message
		finished := time.Now()
		if main != nil && main.State.Terminated != nil {
			finished = main.State.Terminated.FinishedAt.Time
			code := main.State.Terminated.ExitCode
			r.ExitCode = &code
		}
		r.FinishedAt = &finished
		return r
	}
	// Ended: the main container's terminated state says how.
	if main == nil || main.State.Terminated == nil {
		r.Phase, r.Message = Failed, pod.Status.Message
		if phase, msg := failedInitContainer(job, pod); msg != "" {
			// It never started: an init container failed.
			r.Phase, r.Message = phase, msg
		}
		if r.Message == "" {
			r.Message = fmt.Sprintf("pod %s", pod.Status.Phase)
		}
		if pod.Status.Phase == corev1.PodSucceeded {
			r.Phase, r.Message = Succeeded, ""
		}
		finished := time.Now()
		r.FinishedAt = &finished
		return r
	}
	term := main.State.Terminated
	code := term.ExitCode
	r.ExitCode = &code
	finished := term.FinishedAt.Time
	r.FinishedAt = &finished
	if msg := term.Message; msg != "" {
		r.OutputFile = &msg
	}
	switch {
	case code == 0 && job.Annotations[compile.AnnotationDaemon] == "true":
		// A daemon should run until its scope ends: Argo fails one that
		// ended by itself (with no message).
		r.Phase = Failed
	case code == 0:
		r.Phase = Succeeded
		if msg := failedSidecar(job, pod); msg != "" {
			r.Phase, r.Message = Failed, msg
		}
	default:
		r.Phase = Failed
		r.Message = fmt.Sprintf("main: %s (exit code %d)", term.Reason, code)
	}
	return r
}

// stuckReasons are waiting reasons a pod does not get out of by itself.
var stuckReasons = map[string]bool{
	"ErrImagePull":               true,
	"ImagePullBackOff":           true,
	"InvalidImageName":           true,
	"CreateContainerConfigError": true,
}

// stuck reports whether a container waits for ever. A pull the kubelet
// throttled itself (its registryPullQPS, 5 a second by default: many pods
// of an image pulled Always, such as one tagged latest, starting at once)
// is tried again and succeeds, though it shows as ErrImagePull and then
// ImagePullBackOff.
func stuck(w *corev1.ContainerStateWaiting) bool {
	return w != nil && stuckReasons[w.Reason] && !strings.Contains(w.Message, "pull QPS exceeded")
}

// stopsPod reports whether a node's Job still has a pod that must be
// stopped: the node ended with an error while its pod never ran to its end.
func stopsPod(job *batchv1.Job, r PodResult, pod *corev1.Pod) bool {
	return r.Phase == Error && pod != nil && !(job.Spec.Suspend != nil && *job.Spec.Suspend) &&
		pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed
}

func mainStatus(pod *corev1.Pod) *corev1.ContainerStatus {
	for i := range pod.Status.ContainerStatuses {
		if pod.Status.ContainerStatuses[i].Name == "main" {
			return &pod.Status.ContainerStatuses[i]
		}
	}
	return nil
}

// readResult fetches the main container's output as Argo's result: the
// whole of its stdout less one trailing newline, at most its last 256 KiB.
// Only a cluster with the PodLogsQuerySplitStreams feature gate gives
// stdout alone; one without it refuses the stream option, and gets asked
// for stdout and stderr together from then on (docs/compat.md).
func readResult(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) (string, error) {
	opts := &corev1.PodLogOptions{Container: "main"}
	if _, refused := splitStreamsRefused.Load(cs); !refused {
		opts.Stream = ptr.To(corev1.LogStreamStdout)
	}
	out, err := readLog(ctx, cs, pod, opts)
	if opts.Stream != nil && refusesStream(err) {
		splitStreamsRefused.Store(cs, true)
		opts.Stream = nil
		out, err = readLog(ctx, cs, pod, opts)
	}
	if err != nil {
		return "", fmt.Errorf("reading the output of pod %s: %w", pod.Name, err)
	}
	return TrimResult(out), nil
}

// splitStreamsRefused holds the clients whose cluster refused the stream
// option of the pod log API.
var splitStreamsRefused sync.Map

func readLog(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, opts *corev1.PodLogOptions) ([]byte, error) {
	stream, err := cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, opts).Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	return io.ReadAll(stream)
}

// refusesStream reports whether err is the apiserver refusing the stream
// option, as one without the PodLogsQuerySplitStreams gate does ("stream:
// Forbidden: may not be specified").
func refusesStream(err error) bool {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || !apierrors.IsInvalid(err) {
		return false
	}
	details := status.Status().Details
	return details != nil && slices.ContainsFunc(details.Causes, func(c metav1.StatusCause) bool { return c.Field == "stream" })
}

// TrimResult applies Argo's rules to a container's output: exactly one
// trailing newline is dropped, and only the last 256 KiB are kept.
func TrimResult(out []byte) string {
	if n := len(out); n > 0 && out[n-1] == '\n' {
		out = out[:n-1]
	}
	if len(out) > maxResult {
		out = out[len(out)-maxResult:]
	}
	return string(out)
}
