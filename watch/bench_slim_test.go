package watch

import (
	"runtime"
	"strconv"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// BenchmarkInformerCacheFootprint: the heap that the driver's Job and pod
// caches hold for a 5,000-item fan-out whose pods have ended, with the
// objects kept whole (as before) and slim (slim.go), with every label of
// pods kept when spec.podGC is set. The Jobs are those
// the driver makes; each pod is its Job's pod template with what the
// apiserver and kubelet add (a service-account token volume, default
// tolerations, an ended status).
func BenchmarkInformerCacheFootprint(b *testing.B) {
	const n = 5000
	for _, tc := range []struct {
		name      string
		transform func(any) (any, error)
	}{{"whole", dropManagedFields}, {"slim", slimmer{}.transform}, {"slim-podGC", slimmer{podLabels: true}.transform}} {
		b.Run(tc.name, func(b *testing.B) {
			made := fanOutJobs(b, n)
			for b.Loop() {
				before := heapInUse()
				jobs := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
				pods := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
				for _, job := range made {
					// As decoded from a watch: each object its own.
					j, _ := tc.transform(job.DeepCopy())
					p, _ := tc.transform(endedPod(job))
					if jobs.Add(j) != nil || pods.Add(p) != nil {
						b.Fatal("cache add failed")
					}
				}
				held := heapInUse() - before
				if len(jobs.List()) != n || len(pods.List()) != n {
					b.Fatal("objects missing")
				}
				b.ReportMetric(float64(held)/n, "B/node")
				runtime.KeepAlive(made)
			}
		})
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// fanOutJobs makes the Jobs of a withSequence fan-out of n pods, ended.
func fanOutJobs(b *testing.B, n int) []*batchv1.Job {
	docs, diags := compile.ParseFile("wf.yaml", []byte(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: fan
        template: echo
        arguments: {parameters: [{name: i, value: "{{item}}"}]}
        withSequence: {count: "`+strconv.Itoa(n)+`"}
  - name: echo
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.i}}"]}
`))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns"})
	if err != nil {
		b.Fatal(err)
	}
	_, a := Evaluate(w, Observed{Jobs: map[string]PodResult{}, Now: t0})
	var out []*batchv1.Job
	for _, c := range a.Create {
		job := c.Job
		job.Namespace, job.UID = "ns", "0b7c4a4e-5f0e-4a55-9d38-2c9f1b7e0a11"
		job.Status = batchv1.JobStatus{Succeeded: 1, Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}
		out = append(out, job)
	}
	return out
}

// endedPod is the pod the Job controller and kubelet make of a Job.
func endedPod(job *batchv1.Job) *corev1.Pod {
	spec := *job.Spec.Template.Spec.DeepCopy()
	spec.NodeName = "node-0"
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "kube-api-access-x7k2p", VolumeSource: corev1.VolumeSource{
		Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To(int64(3607))}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
				Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
		}}}})
	for i := range spec.Containers {
		spec.Containers[i].VolumeMounts = append(spec.Containers[i].VolumeMounts, corev1.VolumeMount{
			Name: "kube-api-access-x7k2p", ReadOnly: true, MountPath: "/var/run/secrets/kubernetes.io/serviceaccount"})
	}
	spec.Tolerations = []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To(int64(300))},
		{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To(int64(300))},
	}
	now := metav1.Now()
	var statuses []corev1.ContainerStatus
	for _, c := range spec.Containers {
		statuses = append(statuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: "sha256:0123456789abcdef",
			ContainerID: "containerd://0123456789abcdef0123456789abcdef",
			State:       corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed", StartedAt: now, FinishedAt: now}}})
	}
	labels := map[string]string{labelJobName: job.Name, "controller-uid": string(job.UID), "job-name": job.Name}
	for k, v := range job.Labels {
		labels[k] = v
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: job.Name + "-x7k2p", Namespace: job.Namespace, Labels: labels,
			Annotations: job.Spec.Template.Annotations, UID: "6f2b1c1e-7d1a-4a0e-8b0a-2b7c9d0e1f22", CreationTimestamp: now,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID, Controller: ptr.To(true)}}},
		Spec: spec,
		Status: corev1.PodStatus{Phase: corev1.PodSucceeded, HostIP: "10.0.0.1", PodIP: "10.88.0.7", StartTime: &now,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionFalse, LastTransitionTime: now},
				{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "PodCompleted"},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: now, Reason: "PodCompleted"},
				{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, LastTransitionTime: now, Reason: "PodCompleted"},
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now}},
			ContainerStatuses: statuses, QOSClass: corev1.PodQOSBestEffort},
	}
}
