package watch

import (
	"strings"
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// The driver's informers keep every Job and pod of the workflow; on a
// wide workflow, what they keep is most of its memory. They keep only what
// the driver reads, listed here by reader; a field not listed reads as
// empty on a cached object. The slim tests check that the driver decides
// the same on slim Jobs and pods as on whole ones.
//
// Of a Job:
//   - name, namespace, UID, creationTimestamp, resourceVersion: observe,
//     podState (Created), record, pod GC;
//   - the annotations in jobAnnotations (results, containerSetState,
//     daemonState) and the label compile.LabelRole (IsHTTPJob);
//   - spec.suspend (stopsPod, pod GC);
//   - of its pod template, the containers' names and restart policies
//     (failedSidecar, containerSetState);
//   - of its status, the conditions Complete and Failed that hold, with
//     Failed's message (podState of a Job with no pod, podCounted).
//
// Of a pod:
//   - name, namespace, UID, creationTimestamp, deletionTimestamp,
//     resourceVersion: podOf (newest), pod GC;
//   - the label naming its Job (the podsByJob index), and every label
//     when spec.podGC is set (its labelSelector);
//   - of its status: phase, message, podIP (daemonState), startTime, and
//     each container's name, state, last termination and readiness
//     (podState, failedSidecar, containerSetState, daemonState).
//
// Nothing the driver keeps is written to: what is shared between cached
// objects (the few distinct container lists and conditions) stays shared.

// jobAnnotations are the annotations of a Job the driver reads.
var jobAnnotations = []string{AnnotationResult, AnnotationDaemoned, compile.AnnotationContainerSet, compile.AnnotationDaemon}

// slimmer is the informers' transform for Jobs, pods and ConfigMaps.
// podLabels keeps every label of a pod, for spec.podGC's selector.
type slimmer struct{ podLabels bool }

func (s slimmer) transform(obj any) (any, error) {
	switch o := obj.(type) {
	case *batchv1.Job:
		return slimJob(o), nil
	case *corev1.Pod:
		return slimPod(o, s.podLabels), nil
	case *corev1.ConfigMap:
		// ConfigMaps only wake the loop, and the workflow object's
		// metadata saves a GET (workflowObject): no data.
		out := &corev1.ConfigMap{TypeMeta: o.TypeMeta, ObjectMeta: o.ObjectMeta}
		out.ManagedFields = nil
		return out, nil
	}
	return dropManagedFields(obj)
}

// slimObject is the transform keeping every label of pods.
func slimObject(obj any) (any, error) { return slimmer{podLabels: true}.transform(obj) }

func slimJob(job *batchv1.Job) *batchv1.Job {
	out := &batchv1.Job{TypeMeta: job.TypeMeta, ObjectMeta: slimMeta(&job.ObjectMeta)}
	if role, ok := job.Labels[compile.LabelRole]; ok {
		if role == compile.RoleHTTP {
			role = compile.RoleHTTP // the constant's bytes, not a decoded copy's
		}
		out.Labels = map[string]string{compile.LabelRole: role}
	}
	for _, k := range jobAnnotations {
		v, ok := job.Annotations[k]
		if !ok {
			continue
		}
		if out.Annotations == nil {
			out.Annotations = make(map[string]string, 2)
		}
		if v == "true" {
			v = "true" // the constant's bytes, not a decoded copy's
		}
		out.Annotations[k] = v
	}
	out.Spec.Suspend = job.Spec.Suspend
	spec := &out.Spec.Template.Spec
	spec.Containers = sharedContainers.namesOnly(job.Spec.Template.Spec.Containers)
	spec.InitContainers = sharedContainers.namesOnly(job.Spec.Template.Spec.InitContainers)
	out.Status.Conditions = jobEnd(job.Status.Conditions)
	return out
}

// slimMeta is what the driver reads of an object's metadata.
func slimMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp}
}

// Ended Jobs share their conditions: the driver reads a Job's end, and
// why it failed, nothing else of them.
var (
	jobCompleted = []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}
	jobFailed    = []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue}}
)

// jobEnd is what the driver reads of a Job's conditions: Complete and
// Failed, when they hold, with Failed's message.
func jobEnd(conditions []batchv1.JobCondition) []batchv1.JobCondition {
	var out []batchv1.JobCondition
	for _, c := range conditions {
		if c.Status != corev1.ConditionTrue || (c.Type != batchv1.JobComplete && c.Type != batchv1.JobFailed) {
			continue
		}
		out = append(out, batchv1.JobCondition{Type: c.Type, Status: corev1.ConditionTrue, Message: c.Message})
	}
	switch {
	case len(out) == 1 && out[0] == jobCompleted[0]:
		return jobCompleted
	case len(out) == 1 && out[0] == jobFailed[0]:
		return jobFailed
	}
	return out
}

// containerLists keeps one copy of each list of containers' names and
// restart policies: thousands of Jobs of a template have the same.
type containerLists struct {
	mu    sync.Mutex
	lists map[string][]corev1.Container
}

var sharedContainers = &containerLists{lists: map[string][]corev1.Container{}}

// maxSharedContainerLists bounds the lists kept: a workflow has few
// templates, but the table lives as long as the process.
const maxSharedContainerLists = 1024

func (l *containerLists) namesOnly(containers []corev1.Container) []corev1.Container {
	if containers == nil {
		return nil
	}
	var key strings.Builder
	for _, c := range containers {
		key.WriteString(c.Name)
		key.WriteByte(0)
		if c.RestartPolicy != nil {
			key.WriteString(string(*c.RestartPolicy))
		}
		key.WriteByte(0)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if out, ok := l.lists[key.String()]; ok {
		return out
	}
	out := make([]corev1.Container, len(containers))
	for i, c := range containers {
		out[i] = corev1.Container{Name: c.Name}
		if c.RestartPolicy != nil {
			p := *c.RestartPolicy
			out[i].RestartPolicy = &p
		}
	}
	if len(l.lists) < maxSharedContainerLists {
		l.lists[key.String()] = out
	}
	return out
}

// slimPod keeps what the driver reads of a pod; of its labels, only the
// one naming its Job unless allLabels.
func slimPod(pod *corev1.Pod, allLabels bool) *corev1.Pod {
	out := &corev1.Pod{TypeMeta: pod.TypeMeta, ObjectMeta: slimMeta(&pod.ObjectMeta)}
	switch job, ok := pod.Labels[labelJobName]; {
	case allLabels:
		out.Labels = pod.Labels
	case ok:
		out.Labels = map[string]string{labelJobName: job}
	}
	s := &pod.Status
	out.Status = corev1.PodStatus{Phase: s.Phase, Message: s.Message, PodIP: s.PodIP, StartTime: s.StartTime,
		ContainerStatuses:     slimContainerStatuses(s.ContainerStatuses),
		InitContainerStatuses: slimContainerStatuses(s.InitContainerStatuses)}
	return out
}

func slimContainerStatuses(statuses []corev1.ContainerStatus) []corev1.ContainerStatus {
	if statuses == nil {
		return nil
	}
	out := make([]corev1.ContainerStatus, len(statuses))
	for i, c := range statuses {
		out[i] = corev1.ContainerStatus{Name: c.Name, State: slimState(c.State), LastTerminationState: slimState(c.LastTerminationState), Ready: c.Ready}
	}
	return out
}

// slimState drops a terminated container's ID, the one part of its state
// the driver does not read.
func slimState(s corev1.ContainerState) corev1.ContainerState {
	if t := s.Terminated; t != nil && t.ContainerID != "" {
		term := *t
		term.ContainerID = ""
		s.Terminated = &term
	}
	return s
}
