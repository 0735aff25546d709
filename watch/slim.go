package watch

import (
	"fmt"
	"strings"
	"sync"
	"unique"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// The driver's informers keep every Job and pod of the workflow; on a
// wide workflow, what they keep is most of its memory. They keep only what
// the driver reads, listed here by reader, in types of their own
// (cachedJob, cachedPod): a batchv1.Job or corev1.Pod is over a kilobyte
// before any field is set, most of it the pod spec the driver never reads.
// A field not listed reads as empty on a cached object. The slim tests
// check that the driver decides the same on slim Jobs and pods as on
// whole ones.
//
// Of a Job:
//   - name, namespace, UID, creationTimestamp, resourceVersion: observe,
//     podState (Created), record, pod GC;
//   - the annotations in jobAnnotations (results, containerSetState,
//     daemonState, savesArtifacts, archivedLogContainers,
//     setArtifactKeys, collectArtifacts) and whether it is an http node's (IsHTTPJob), in
//     fields of their own;
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
//   - spec.nodeName ({{steps.X.hostNodeName}});
//   - of its status: phase, message, podIP (daemonState), startTime, and
//     each container's name, state, last termination and readiness
//     (podState, failedSidecar, containerSetState, daemonState,
//     archivedLogContainers).
//
// Readers take Jobs and pods built from what is cached (cachedJob.job,
// podOf), which share what it holds. Nothing the driver keeps is written
// to: what is shared between cached objects (the few distinct container
// lists, conditions, http nodes' labels) stays shared.

// jobAnnotations are the annotations of a Job the driver reads.
var jobAnnotations = [...]string{AnnotationResult, AnnotationDaemoned, compile.AnnotationContainerSet, compile.AnnotationDaemon, compile.AnnotationOutputArtifacts, compile.AnnotationArchiveLogs, compile.AnnotationArtifactKeys, compile.AnnotationGCOnCompletion}

// httpLabels are an http node's Job's labels as the driver keeps them,
// shared by all.
var httpLabels = map[string]string{compile.LabelRole: compile.RoleHTTP}

// slimmer is the informers' transform for Jobs, pods and ConfigMaps.
// podLabels keeps every label of a pod, for spec.podGC's selector.
type slimmer struct{ podLabels bool }

func (s slimmer) transform(obj any) (any, error) {
	switch o := obj.(type) {
	case *batchv1.Job:
		return cacheJob(o), nil
	case *corev1.Pod:
		return cachePod(o, s.podLabels), nil
	case *corev1.ConfigMap:
		// ConfigMaps only wake the loop, and the workflow object's
		// metadata saves a GET (workflowObject): no data.
		out := &corev1.ConfigMap{TypeMeta: o.TypeMeta, ObjectMeta: o.ObjectMeta}
		out.ManagedFields = nil
		return out, nil
	}
	return dropManagedFields(obj)
}

// cachedJob is what the driver keeps of a Job (see above).
type cachedJob struct {
	// ObjectMeta has no labels or annotations: a map of a few entries
	// is a few hundred bytes, these fields far less.
	metav1.ObjectMeta
	suspend                    *bool
	containers, initContainers []corev1.Container
	conditions                 []batchv1.JobCondition
	// annotations are the values of jobAnnotations, of those the Job has
	// (has, a bit each); http: it is an http node's (IsHTTPJob).
	annotations [len(jobAnnotations)]string
	has         uint8
	http        bool
}

func cacheJob(job *batchv1.Job) *cachedJob {
	out := &cachedJob{ObjectMeta: slimMeta(&job.ObjectMeta), suspend: job.Spec.Suspend,
		containers:     sharedContainers.namesOnly(job.Spec.Template.Spec.Containers),
		initContainers: sharedContainers.namesOnly(job.Spec.Template.Spec.InitContainers),
		conditions:     jobEnd(job.Status.Conditions)}
	out.http = compile.IsHTTPJob(job)
	for i, k := range jobAnnotations {
		v, ok := job.Annotations[k]
		if !ok {
			continue
		}
		if v == "true" {
			v = "true" // the constant's bytes, not a decoded copy's
		}
		out.annotations[i], out.has = v, out.has|1<<i
	}
	return out
}

// job is the Job as its readers take it, sharing what it holds.
func (c *cachedJob) job() *batchv1.Job {
	job := &batchv1.Job{}
	c.into(job)
	return job
}

// into fills job with the cached Job (observe reads thousands of Jobs on
// each reconcile, each into the same one), reusing its annotations' map.
func (c *cachedJob) into(job *batchv1.Job) {
	annotations := job.Annotations
	job.ObjectMeta = c.ObjectMeta
	if c.http {
		job.Labels = httpLabels
	}
	if c.has != 0 && annotations == nil {
		annotations = make(map[string]string, len(jobAnnotations))
	}
	if annotations != nil {
		clear(annotations)
		for i, k := range jobAnnotations {
			if c.has&(1<<i) != 0 {
				annotations[k] = c.annotations[i]
			}
		}
		job.Annotations = annotations
	}
	job.Spec.Suspend = c.suspend
	job.Spec.Template.Spec.Containers, job.Spec.Template.Spec.InitContainers = c.containers, c.initContainers
	job.Status.Conditions = c.conditions
}

func (c *cachedJob) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

func (c *cachedJob) DeepCopyObject() kruntime.Object {
	job := c.job().DeepCopy()
	out := *c
	out.ObjectMeta, out.suspend, out.conditions = job.ObjectMeta, job.Spec.Suspend, job.Status.Conditions
	out.Labels, out.Annotations = nil, nil
	out.containers, out.initContainers = job.Spec.Template.Spec.Containers, job.Spec.Template.Spec.InitContainers
	return &out
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

// cachedPod is what the driver keeps of a pod (see above).
type cachedPod struct {
	// ObjectMeta has labels only for podGC: else only job, the label
	// naming the pod's Job, is kept.
	metav1.ObjectMeta
	job                                      string
	phase                                    corev1.PodPhase
	message, podIP, nodeName                 string
	startTime                                *metav1.Time
	containerStatuses, initContainerStatuses []cachedContainer
}

func cachePod(pod *corev1.Pod, allLabels bool) *cachedPod {
	out := &cachedPod{ObjectMeta: slimMeta(&pod.ObjectMeta), job: pod.Labels[labelJobName]}
	if allLabels {
		out.Labels = pod.Labels
	}
	s := &pod.Status
	out.phase, out.message, out.podIP, out.startTime = s.Phase, s.Message, s.PodIP, s.StartTime
	// One copy of each node's name, for the thousands of pods on it.
	out.nodeName = unique.Make(pod.Spec.NodeName).Value()
	out.containerStatuses = cacheContainers(s.ContainerStatuses)
	out.initContainerStatuses = cacheContainers(s.InitContainerStatuses)
	return out
}

// pod is the pod as its readers take it, sharing what it holds.
func (c *cachedPod) pod() *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: c.ObjectMeta, Spec: corev1.PodSpec{NodeName: c.nodeName}, Status: corev1.PodStatus{Phase: c.phase, Message: c.message, PodIP: c.podIP,
		StartTime: c.startTime, ContainerStatuses: containerStatuses(c.containerStatuses), InitContainerStatuses: containerStatuses(c.initContainerStatuses)}}
	if pod.Labels == nil && c.job != "" {
		pod.Labels = map[string]string{labelJobName: c.job}
	}
	return pod
}

func (c *cachedPod) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

func (c *cachedPod) DeepCopyObject() kruntime.Object {
	pod := c.pod().DeepCopy()
	if c.Labels == nil {
		pod.Labels = nil
	}
	return &cachedPod{ObjectMeta: pod.ObjectMeta, job: c.job, phase: c.phase, message: c.message, podIP: c.podIP, nodeName: c.nodeName, startTime: pod.Status.StartTime,
		containerStatuses: cacheContainers(pod.Status.ContainerStatuses), initContainerStatuses: cacheContainers(pod.Status.InitContainerStatuses)}
}

// jobCache reads the Jobs' informer's cache, of cachedJobs (or of whole
// Jobs, as tests fill one).
type jobCache struct{ cache.Indexer }

// cached are the cached Jobs.
func (c jobCache) cached() []*cachedJob {
	objs := c.List()
	out := make([]*cachedJob, 0, len(objs))
	for _, o := range objs {
		switch j := o.(type) {
		case *cachedJob:
			out = append(out, j)
		case *batchv1.Job:
			out = append(out, cacheJob(j))
		}
	}
	return out
}

// Jobs reads the cached Jobs of namespace ns, as a lister does.
func (c jobCache) Jobs(ns string) jobsIn { return jobsIn{c, ns} }

type jobsIn struct {
	c  jobCache
	ns string
}

// Get is the Job of that name, built anew from the cache.
func (j jobsIn) Get(name string) (*batchv1.Job, error) {
	obj, ok, err := j.c.GetByKey(j.ns + "/" + name)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, apierrors.NewNotFound(batchv1.Resource("job"), name)
	}
	switch o := obj.(type) {
	case *cachedJob:
		return o.job(), nil
	case *batchv1.Job:
		return o, nil
	}
	return nil, fmt.Errorf("job %s: cached as %T", name, obj)
}

// podOf returns the newest pod of a Job (with backoffLimit 0 there is
// one), built anew from the cache.
func podOf(pods cache.Indexer, job string) *corev1.Pod {
	objs, err := pods.ByIndex(podsByJob, job)
	if err != nil {
		return nil
	}
	var newest metav1.Object
	for _, o := range objs {
		if p, ok := o.(metav1.Object); ok && (newest == nil || p.GetCreationTimestamp().After(newest.GetCreationTimestamp().Time)) {
			newest = p
		}
	}
	switch p := newest.(type) {
	case *cachedPod:
		return p.pod()
	case *corev1.Pod:
		return p
	}
	return nil
}

// cachedContainer is what the driver reads of a container's status: a
// third of a corev1.ContainerStatus.
type cachedContainer struct {
	name        string
	state, last corev1.ContainerState
	ready       bool
}

func cacheContainers(statuses []corev1.ContainerStatus) []cachedContainer {
	if statuses == nil {
		return nil
	}
	out := make([]cachedContainer, len(statuses))
	for i, c := range statuses {
		out[i] = cachedContainer{name: c.Name, state: slimState(c.State), last: slimState(c.LastTerminationState), ready: c.Ready}
	}
	return out
}

// containerStatuses are cached containers' statuses as their readers take
// them, sharing their states.
func containerStatuses(cached []cachedContainer) []corev1.ContainerStatus {
	if cached == nil {
		return nil
	}
	out := make([]corev1.ContainerStatus, len(cached))
	for i, c := range cached {
		out[i] = corev1.ContainerStatus{Name: c.name, State: c.state, LastTerminationState: c.last, Ready: c.ready}
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
