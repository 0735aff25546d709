package watch

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// slimJob is a Job as the driver's informer keeps it and its readers take it.
func slimJob(job *batchv1.Job) *batchv1.Job { return cacheJob(job).job() }

// slimPod is a pod as the driver's informer keeps it and its readers take
// it; of its labels, only the one naming its Job unless allLabels.
func slimPod(pod *corev1.Pod, allLabels bool) *corev1.Pod { return cachePod(pod, allLabels).pod() }

// checkedPodState is podState, checked to decide the same on the slim
// objects the driver's informers keep (see checkSlimDecidesSame).
func checkedPodState(t *testing.T, job *batchv1.Job, pod *corev1.Pod) PodResult {
	t.Helper()
	checkSlimDecidesSame(t, job, pod)
	return podState(job, pod)
}

// decisions are what the driver reads of a Job and its pod (slim.go
// lists the readers).
type decisions struct {
	State          PodResult
	Stops          bool
	Daemoned       bool
	DaemonIP       string
	Result         PodResult
	Recorded, HTTP bool
	Counted        bool
	GCMatches      map[string]bool
	JobOfPod       []string
	PodName        string
	Suspended      bool
	SavesArtifacts bool
	ArchivedLogs   []string
	ArtifactKeys   []compile.StoredArtifact
}

// gcSelectors are podGC selectors on labels a pod has from its Job and
// from the Job controller.
var gcSelectors = []string{"", "kubectl-wf.dev/workflow=wf", "job-name", "!controller-uid", "app in (x)"}

func decide(t *testing.T, job *batchv1.Job, pod *corev1.Pod, gc bool) decisions {
	t.Helper()
	d := decisions{State: podState(job, pod), HTTP: compile.IsHTTPJob(job), Suspended: job.Spec.Suspend != nil && *job.Spec.Suspend}
	d.Result, d.Recorded = recordedResult(job)
	d.SavesArtifacts, d.ArchivedLogs = savesArtifacts(job), archivedLogContainers(job, pod)
	d.Stops = stopsPod(job, PodResult{Phase: Error}, pod)
	d.SavesArtifacts = savesArtifacts(job)
	d.ArtifactKeys = []compile.StoredArtifact{{Name: "out"}, {Name: "other"}}
	setArtifactKeys(job, d.ArtifactKeys)
	if pod == nil {
		return d
	}
	d.Daemoned, d.DaemonIP = daemonState(job, pod)
	d.Counted, d.PodName = podCounted(job, pod), pod.Name
	d.JobOfPod, _ = podJobName(pod)
	if gc {
		d.GCMatches = map[string]bool{}
		for _, s := range gcSelectors {
			sel, err := labels.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, strategy := range []string{compile.PodGCOnPodCompletion, compile.PodGCOnPodSuccess} {
				d.GCMatches[strategy+" "+s] = podGCMatches(&compile.PodGC{Strategy: strategy, Selector: sel}, pod)
			}
		}
	}
	return d
}

// checkSlimDecidesSame checks that every reader of a Job and its pod
// decides the same on the slim objects the informers keep, with pods'
// labels kept (podGC) and not.
func checkSlimDecidesSame(t *testing.T, job *batchv1.Job, pod *corev1.Pod) {
	t.Helper()
	for _, gc := range []bool{false, true} {
		want := decide(t, job, pod, gc)
		var slim *corev1.Pod
		if pod != nil {
			slim = slimPod(pod, gc)
		}
		// Some results are stamped with the time they are read.
		if diff := cmp.Diff(want, decide(t, slimJob(job), slim, gc), cmpopts.EquateApproxTime(time.Second)); diff != "" {
			t.Errorf("the driver decides otherwise on slim objects (podGC %v) (-full +slim):\n%s", gc, diff)
		}
	}
}

// TestSlimDecidesSame: the driver decides the same on slim Jobs and pods
// as on whole ones, as the apiserver and kubelet fill them in.
func TestSlimDecidesSame(t *testing.T) {
	base := fanOutJobs(&testing.B{}, 1)[0]
	tests := []struct {
		name string
		job  func(*batchv1.Job)
		pod  func(*corev1.Pod) // nil: no pod
	}{
		{name: "ended", job: func(*batchv1.Job) {}, pod: func(*corev1.Pod) {}},
		{name: "no pod yet", job: func(j *batchv1.Job) { j.Status = batchv1.JobStatus{} }},
		{name: "failed Job without a pod", job: func(j *batchv1.Job) {
			j.Status = batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{
				{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "target"},
				{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"}}}
		}},
		{name: "recorded http", job: func(j *batchv1.Job) {
			j.Labels[compile.LabelRole] = compile.RoleHTTP
			j.Annotations[AnnotationResult] = `{"phase":"Succeeded","result":"ok"}`
		}, pod: func(*corev1.Pod) {}},
		{name: "running, suspended", job: func(j *batchv1.Job) {
			j.Spec.Suspend = ptr.To(true)
			j.Status = batchv1.JobStatus{Active: 1}
		}, pod: func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
		}},
		{name: "ready daemon", job: func(j *batchv1.Job) {
			j.Annotations[compile.AnnotationDaemon] = "true"
			j.Status = batchv1.JobStatus{Active: 1}
		}, pod: func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
			p.Status.ContainerStatuses[0].Ready = true
		}},
		{name: "image not pulled", job: func(j *batchv1.Job) { j.Status = batchv1.JobStatus{Active: 1} }, pod: func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodPending
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "not found"}}
		}},
		{name: "main failed", job: func(*batchv1.Job) {}, pod: func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodFailed
			p.Status.ContainerStatuses[0].State.Terminated.ExitCode = 3
			p.Status.ContainerStatuses[0].State.Terminated.Reason = "Error"
			p.Status.ContainerStatuses[0].State.Terminated.Message = "out"
		}},
		{name: "evicted", job: func(*batchv1.Job) {}, pod: func(p *corev1.Pod) {
			p.Status.Phase, p.Status.Message = corev1.PodFailed, "The node was low on resource: memory."
		}},
		{name: "failed sidecar", job: func(j *batchv1.Job) {
			j.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "side", Image: "x", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)}}
		}, pod: func(p *corev1.Pod) {
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "side", Image: "x", ContainerID: "containerd://1",
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2, Reason: "Error", ContainerID: "containerd://0"}},
				State:                corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
		}},
		{name: "container set", job: func(j *batchv1.Job) {
			j.Annotations[compile.AnnotationContainerSet] = "a,b"
			j.Spec.Template.Spec.Containers = []corev1.Container{{Name: "a", Image: "x"}, {Name: "b", Image: "y"}, {Name: "main", Image: "z"}}
		}, pod: func(p *corev1.Pod) {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses,
				corev1.ContainerStatus{Name: "a", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}},
				corev1.ContainerStatus{Name: "b", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}}})
		}},
		{name: "archived logs of a container set", job: func(j *batchv1.Job) {
			j.Annotations[compile.AnnotationContainerSet] = "a,b,c"
			j.Annotations[compile.AnnotationArchiveLogs] = "a,b,c"
			j.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "a", Image: "x"}}
			j.Spec.Template.Spec.Containers = []corev1.Container{{Name: "b", Image: "y"}, {Name: "c", Image: "z"}}
		}, pod: func(p *corev1.Pod) {
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "a", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}}}}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{
				{Name: "b", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}},
				{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}}
		}},
		{name: "archived logs and output artifacts", job: func(j *batchv1.Job) {
			j.Annotations[compile.AnnotationArchiveLogs] = "main"
			j.Annotations[compile.AnnotationOutputArtifacts] = "out"
		}, pod: func(*corev1.Pod) {}},
		{name: "saves key-only artifacts", job: func(j *batchv1.Job) {
			j.Annotations[compile.AnnotationOutputArtifacts] = "out,other"
			j.Annotations[compile.AnnotationArtifactKeys] = `{"out":"wf/out.json"}`
		}, pod: func(*corev1.Pod) {}},
		{name: "pod being deleted", job: func(*batchv1.Job) {}, pod: func(p *corev1.Pod) { p.DeletionTimestamp = ptr.To(p.CreationTimestamp) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := base.DeepCopy()
			tc.job(job)
			var pod *corev1.Pod
			if tc.pod != nil {
				pod = endedPod(job)
				tc.pod(pod)
			}
			checkSlimDecidesSame(t, job, pod)
		})
	}
}

// TestSlimSharesContainerLists: Jobs of one template share their slim
// list of containers, and Jobs of another do not get it.
func TestSlimSharesContainerLists(t *testing.T) {
	a, b := fanOutJobs(&testing.B{}, 2)[0], fanOutJobs(&testing.B{}, 2)[1]
	sa, sb := slimJob(a), slimJob(b)
	if &sa.Spec.Template.Spec.Containers[0] != &sb.Spec.Template.Spec.Containers[0] {
		t.Error("Jobs of one template have lists of their own")
	}
	b.Spec.Template.Spec.Containers = append(b.Spec.Template.Spec.Containers, corev1.Container{Name: "wait"})
	if got := slimJob(b).Spec.Template.Spec.Containers; len(got) != 2 || got[1].Name != "wait" {
		t.Errorf("containers %v, want main and wait", got)
	}
}

// TestCachedDeepCopy: a cached Job's or pod's deep copy is equal to it
// and shares none of what it holds.
func TestCachedDeepCopy(t *testing.T) {
	job := fanOutJobs(&testing.B{}, 1)[0]
	job.Spec.Suspend = ptr.To(true)
	job.Labels[compile.LabelRole] = compile.RoleHTTP
	job.Annotations[compile.AnnotationDaemon] = "true"
	cj, cp := cacheJob(job), cachePod(endedPod(job), true)
	allow := cmp.AllowUnexported(cachedJob{}, cachedPod{}, cachedContainer{})
	j := cj.DeepCopyObject().(*cachedJob)
	if diff := cmp.Diff(cj, j, allow); diff != "" {
		t.Errorf("Job's deep copy differs (-orig +copy):\n%s", diff)
	}
	if &j.containers[0] == &cj.containers[0] || j.suspend == cj.suspend || &j.conditions[0] == &cj.conditions[0] {
		t.Error("the Job's copy shares what it holds")
	}
	p := cp.DeepCopyObject().(*cachedPod)
	if diff := cmp.Diff(cp, p, allow); diff != "" {
		t.Errorf("pod's deep copy differs (-orig +copy):\n%s", diff)
	}
	p.Labels["x"] = "y"
	if _, ok := cp.Labels["x"]; ok || &p.containerStatuses[0] == &cp.containerStatuses[0] {
		t.Error("the pod's copy shares what it holds")
	}
}

// TestCachedJobsReadIntoOne: Jobs read one after another into the same
// Job, as observe reads them, read as each does alone.
func TestCachedJobsReadIntoOne(t *testing.T) {
	jobs := fanOutJobs(&testing.B{}, 3)
	jobs[0].Annotations[AnnotationResult] = `{"phase":"Failed"}`
	jobs[0].Labels[compile.LabelRole] = compile.RoleHTTP
	jobs[1].Annotations[AnnotationDaemoned] = ""
	into := &batchv1.Job{}
	for _, job := range append(jobs, jobs[0]) {
		c := cacheJob(job)
		c.into(into)
		want := decide(t, c.job(), nil, false)
		if diff := cmp.Diff(want, decide(t, into, nil, false), cmpopts.EquateApproxTime(time.Second)); diff != "" {
			t.Errorf("%s read into a Job read before (-alone +after another):\n%s", job.Name, diff)
		}
		if _, seen := into.Annotations[AnnotationDaemoned]; seen != (job == jobs[1]) {
			t.Errorf("%s: daemoned annotation seen %v", job.Name, seen)
		}
	}
}
