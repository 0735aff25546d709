package watch

import (
	"fmt"
	"slices"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// containerSetState is what a containerSet's pod says of its node and of
// each of its containers (names). The node has ended when every container
// the pod runs together has, or the pod has; it failed when one of them
// failed, reported as Argo reports it: init containers first, then main,
// then the others.
func containerSetState(job *batchv1.Job, pod *corev1.Pod, r PodResult, names []string) PodResult {
	statuses := map[string]corev1.ContainerStatus{}
	var order []string // Argo's order of preference for the node's message
	for _, c := range pod.Status.InitContainerStatuses {
		statuses[c.Name] = c
		order = append(order, c.Name)
	}
	var rest []string
	for _, c := range pod.Status.ContainerStatuses {
		statuses[c.Name] = c
		if c.Name == "main" {
			order = append(order, c.Name)
		} else {
			rest = append(rest, c.Name)
		}
	}
	order = append(order, rest...)

	podFailed := pod.Status.Phase == corev1.PodFailed
	r.Containers = map[string]ContainerResult{}
	started := false
	for _, name := range names {
		c, ok := statuses[name]
		if !ok {
			r.Containers[name] = ContainerResult{Phase: Pending}
			continue
		}
		cr := containerResult(c, podFailed)
		started = started || cr.Phase != Pending
		r.Containers[name] = cr
	}
	for _, name := range order {
		if w := statuses[name].State.Waiting; stuck(w) {
			r.Phase, r.Message = Error, fmt.Sprintf("%s: %s: %s", name, w.Reason, w.Message)
			now := time.Now()
			r.FinishedAt = &now
			return r
		}
	}
	ended := pod.Status.Phase == corev1.PodSucceeded || podFailed
	if !ended {
		ended = len(job.Spec.Template.Spec.Containers) > 0
		for _, c := range job.Spec.Template.Spec.Containers {
			ended = ended && statuses[c.Name].State.Terminated != nil
		}
	}
	if !ended || artifactsPending(job, pod) {
		r.Phase = Pending
		if started || pod.Status.Phase == corev1.PodRunning {
			r.Phase = Running
		}
		return r
	}
	finished := time.Now()
	if pod.Status.Phase != corev1.PodFailed || pod.Status.Message == "" {
		finished = time.Time{}
		for _, cr := range r.Containers {
			if cr.FinishedAt != nil && cr.FinishedAt.After(finished) {
				finished = *cr.FinishedAt
			}
		}
		if finished.IsZero() {
			finished = time.Now()
		}
	}
	r.FinishedAt = &finished
	if t := statuses["main"].State.Terminated; t != nil {
		code := t.ExitCode
		r.ExitCode = &code
		if t.Message != "" {
			msg := t.Message
			r.OutputFile = &msg
		}
	}
	// Output files on volumes are the sidecar's to read (see
	// compile.sidecarOutputFiles).
	if t := statuses[compile.ArtifactsContainerName].State.Terminated; t != nil && t.Message != "" {
		msg := t.Message
		r.OutputFile = &msg
	}
	if podFailed && pod.Status.Message != "" {
		r.Phase, r.Message = Failed, pod.Status.Message
		return r
	}
	r.Phase = Succeeded
	for _, name := range order {
		if t := statuses[name].State.Terminated; t != nil && t.ExitCode != 0 && (slices.Contains(names, name) || !isSidecarStop(t)) {
			r.Phase, r.Message = Failed, fmt.Sprintf("%s: %s (exit code %d)", name, t.Reason, t.ExitCode)
			if t.Message != "" {
				r.Message += ": " + t.Message
			}
			return r
		}
	}
	if podFailed {
		r.Phase, r.Message = Failed, fmt.Sprintf("pod %s", pod.Status.Phase)
	}
	return r
}

// isSidecarStop reports an exit code that stopping a container gives,
// which Argo ignores for containers other than main.
func isSidecarStop(t *corev1.ContainerStateTerminated) bool {
	return t.ExitCode == 137 || t.ExitCode == 143
}

// containerResult is a containerSet container's node phase, by Argo's rule.
func containerResult(c corev1.ContainerStatus, podFailed bool) ContainerResult {
	var cr ContainerResult
	switch s := c.State; {
	case s.Terminated != nil:
		t := s.Terminated
		start, end := t.StartedAt.Time, t.FinishedAt.Time
		cr.StartedAt, cr.FinishedAt = &start, &end
		if t.ExitCode == 0 {
			cr.Phase = Succeeded
		} else {
			cr.Phase, cr.Message = Failed, fmt.Sprintf("%s: %s (exit code %d): %s", c.Name, t.Reason, t.ExitCode, t.Message)
		}
	case podFailed:
		cr.Phase, cr.Message = Failed, "Pod Failed whilst container running"
	case s.Running != nil:
		start := s.Running.StartedAt.Time
		cr.Phase, cr.StartedAt = Running, &start
	default:
		cr.Phase = Pending
	}
	return cr
}

// containerNodes adds a containerSet's Container nodes below its pod node,
// in the set's written order, once its Job exists.
func (e *evaluator) containerNodes(n *Node, t *wfv1.Template, r PodResult) {
	for _, c := range t.ContainerSet.Containers {
		cn := e.newNode(n.Name+"."+c.Name, c.Name, compile.NodeContainer, t.Name)
		n.Children = append(n.Children, cn.ID)
		cr, ok := r.Containers[c.Name]
		if !ok {
			cr.Phase = Pending
		}
		cn.Phase, cn.Message, cn.StartedAt, cn.FinishedAt = cr.Phase, cr.Message, cr.StartedAt, cr.FinishedAt
	}
}
