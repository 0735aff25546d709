package watch

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// daemonState reports whether a running daemon pod is daemoned, and its IP:
// recorded on its Job once seen, else when every container is ready, as
// Argo requires.
func daemonState(job *batchv1.Job, pod *corev1.Pod) (bool, string) {
	if job.Annotations[compile.AnnotationDaemon] != "true" {
		return false, ""
	}
	if ip, ok := job.Annotations[AnnotationDaemoned]; ok {
		return true, ip
	}
	if len(pod.Status.ContainerStatuses) == 0 || pod.Status.PodIP == "" {
		return false, ""
	}
	for _, c := range pod.Status.ContainerStatuses {
		if !c.Ready {
			return false, ""
		}
	}
	return true, pod.Status.PodIP
}

// failedInitContainer is why a pod failed before main started, as Argo
// gives it: an init container that exited with an error. One of
// kubectl-wf's own (fetching artifacts, installing the executor) errs the
// node, as Argo's init container does; one of the template's fails it.
func failedInitContainer(job *batchv1.Job, pod *corev1.Pod) (Phase, string) {
	if pod.Status.Phase != corev1.PodFailed {
		return "", ""
	}
	sidecars := nativeSidecars(job)
	for _, c := range pod.Status.InitContainerStatuses {
		t := c.State.Terminated
		if t == nil || t.ExitCode == 0 || sidecars[c.Name] {
			continue
		}
		if strings.HasPrefix(c.Name, compile.ReservedContainerPrefix) {
			return Error, terminatedMessage(c.Name, t)
		}
		return Failed, terminatedMessage(c.Name, t)
	}
	return "", ""
}

// nativeSidecars are the names of a Job's init containers that run beside
// main (restartPolicy Always).
func nativeSidecars(job *batchv1.Job) map[string]bool {
	sidecars := map[string]bool{}
	for _, c := range job.Spec.Template.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
		}
	}
	return sidecars
}

// terminatedMessage is how Argo words a container that exited with an
// error: NAME: REASON (exit code N)[: MESSAGE].
func terminatedMessage(name string, t *corev1.ContainerStateTerminated) string {
	msg := fmt.Sprintf("%s: %s (exit code %d)", name, t.Reason, t.ExitCode)
	if t.Message != "" {
		msg += ": " + t.Message
	}
	return msg
}

// failedSidecar is why a pod whose main container succeeded fails after
// all: a sidecar that exited with an error, as Argo's message gives it.
// Exit codes 137 and 143 (killed, terminated) are how sidecars are
// stopped, which Argo ignores. A native sidecar is restarted, so its last
// termination counts too.
func failedSidecar(job *batchv1.Job, pod *corev1.Pod) string {
	sidecars := nativeSidecars(job)
	for _, c := range pod.Status.InitContainerStatuses {
		if !sidecars[c.Name] {
			continue
		}
		for _, t := range []*corev1.ContainerStateTerminated{c.State.Terminated, c.LastTerminationState.Terminated} {
			if t == nil || t.ExitCode == 0 || isSidecarStop(t) {
				continue
			}
			return terminatedMessage(c.Name, t)
		}
	}
	return ""
}
