package watch

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// The driver's informers keep every Job and pod of the workflow; on a
// wide workflow, what they keep is most of its memory. They keep only what
// the driver reads: metadata, status, and of a Job's pod template the
// containers' names and restart policies (podState, failedSidecar,
// containerSetState); of ConfigMaps, which only wake the loop (the
// workflow object is read afresh each reconcile), no data. The podState
// tests check that the driver decides the same on slim Jobs and pods.

// slimObject is the informers' transform for Jobs and pods.
func slimObject(obj any) (any, error) {
	switch o := obj.(type) {
	case *batchv1.Job:
		return slimJob(o), nil
	case *corev1.Pod:
		return slimPod(o), nil
	case *corev1.ConfigMap:
		out := &corev1.ConfigMap{TypeMeta: o.TypeMeta, ObjectMeta: o.ObjectMeta}
		out.ManagedFields = nil
		return out, nil
	}
	return dropManagedFields(obj)
}

func slimJob(job *batchv1.Job) *batchv1.Job {
	out := &batchv1.Job{TypeMeta: job.TypeMeta, ObjectMeta: job.ObjectMeta, Status: job.Status}
	out.ManagedFields = nil
	out.Spec.Suspend = job.Spec.Suspend
	spec := &out.Spec.Template.Spec
	spec.Containers = namesOnly(job.Spec.Template.Spec.Containers)
	spec.InitContainers = namesOnly(job.Spec.Template.Spec.InitContainers)
	return out
}

func namesOnly(containers []corev1.Container) []corev1.Container {
	if containers == nil {
		return nil
	}
	out := make([]corev1.Container, len(containers))
	for i, c := range containers {
		out[i] = corev1.Container{Name: c.Name, RestartPolicy: c.RestartPolicy}
	}
	return out
}

func slimPod(pod *corev1.Pod) *corev1.Pod {
	out := &corev1.Pod{TypeMeta: pod.TypeMeta, ObjectMeta: pod.ObjectMeta, Status: pod.Status}
	out.ManagedFields = nil
	out.Spec.NodeName = pod.Spec.NodeName
	return out
}
