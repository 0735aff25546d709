package compile

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// PodObjects lowers a pod-running node to its Job, and for a script
// template the ConfigMap holding the source. tmpl must be instantiated
// already: every tag resolved.
func (w *Workflow) PodObjects(nodeName string, tmpl *wfv1.Template) (*batchv1.Job, *corev1.ConfigMap, error) {
	name := JobName(w.Name, tmpl.Name, nodeName)
	var containers, ordered []corev1.Container
	var script *corev1.ConfigMap
	switch {
	case tmpl.Container != nil:
		containers = []corev1.Container{*tmpl.Container.DeepCopy()}
	case tmpl.Script != nil:
		main := *tmpl.Script.Container.DeepCopy()
		script = w.scriptConfigMap(name, nodeName, tmpl)
		// Argo runs the source as the command's last argument.
		main.Args = append(main.Args, ScriptMountPath+"/"+ScriptDataKey)
		main.VolumeMounts = append(main.VolumeMounts, corev1.VolumeMount{Name: ScriptVolumeName, MountPath: ScriptMountPath, ReadOnly: true})
		containers = []corev1.Container{main}
	case tmpl.ContainerSet != nil:
		ordered, containers = containerSetContainers(tmpl.ContainerSet)
	case tmpl.HTTP != nil:
		var main corev1.Container
		main, script = w.httpContainer(name, nodeName, tmpl)
		containers = []corev1.Container{main}
	default:
		return nil, nil, fmt.Errorf("template %q runs no pod", tmpl.Name)
	}
	if tmpl.ContainerSet == nil {
		containers[0].Name = mainContainerName
	}
	// A script's source or an http body, mounted in the staging directory.
	staged := script != nil
	artifacts, artifactVolume, artifactMounts, err := rawArtifactMounts(tmpl, ScriptConfigMapName(name))
	if err != nil {
		return nil, nil, fmt.Errorf("template %q: %w", tmpl.Name, err)
	}
	storedVolumes, storedMounts, err := storedArtifactMounts(tmpl)
	if err != nil {
		return nil, nil, fmt.Errorf("template %q: %w", tmpl.Name, err)
	}
	fetch, fetchedVolume, fetchedMounts := httpArtifactPlacement(tmpl)
	// Before the pod is built: mirrorVolumeMounts mirrors them too.
	containers[0].VolumeMounts = append(containers[0].VolumeMounts, storedMounts...)
	containers[0].VolumeMounts = append(containers[0].VolumeMounts, fetchedMounts...)
	if artifactVolume != nil {
		containers[0].VolumeMounts = append(containers[0].VolumeMounts, artifactMounts...)
		if script == nil {
			script = w.nodeConfigMap(name, nodeName, tmpl, artifacts)
		} else {
			maps.Copy(script.Data, artifacts)
		}
	}
	for _, list := range [][]corev1.Container{ordered, containers} {
		for i := range list {
			withPodName(&list[i])
			if list[i].Name == mainContainerName && sidecarOutputFiles(tmpl) == nil {
				// The kubelet reads the termination message when the
				// container ends and puts it in the pod's status, which is
				// how outputs leave the pod with no helper container (4 KiB
				// at most: docs/compat.md).
				withOutputFiles(&list[i], OutputFiles(tmpl))
			}
		}
	}

	pod, err := w.podSpec(tmpl, containers, ordered)
	if err == nil {
		// Outermost: the executor saves the artifacts once all that
		// main runs, a collector of output files included, has ended.
		err = withArtifactExecutor(pod, mainOf(pod), tmpl)
	}
	if err == nil {
		pod, err = w.patchPodSpec(pod, nodeName, tmpl)
	}
	if err == nil {
		withSeedAsMain(pod)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("template %q: %w", tmpl.Name, err)
	}
	if staged {
		// Executable, as Argo writes the source (0755): `command: [sh, -c]`
		// runs its last argument as a program.
		source := &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: script.Name},
			DefaultMode:          ptr.To[int32](scriptFileMode),
		}
		if artifactVolume != nil {
			source.Items = []corev1.KeyToPath{{Key: ScriptDataKey, Path: ScriptDataKey}} // not the artifacts
		}
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: ScriptVolumeName, VolumeSource: corev1.VolumeSource{ConfigMap: source}})
		if tmpl.Script != nil {
			withRenderedScript(pod, &pod.Containers[0], tmpl.Script.Source)
		}
	}
	if artifactVolume != nil {
		pod.Volumes = append(pod.Volumes, *artifactVolume)
	}
	pod.Volumes = append(pod.Volumes, storedVolumes...)
	if fetch != nil {
		// First, as Argo's init container fetches before anything runs.
		pod.InitContainers = append([]corev1.Container{*fetch}, pod.InitContainers...)
		pod.Volumes = append(pod.Volumes, *fetchedVolume)
	}

	meta := w.objectMeta(name, nodeName, tmpl.Name)
	if tmpl.Daemon != nil && *tmpl.Daemon {
		meta.Annotations[AnnotationDaemon] = "true"
	}
	if tmpl.ContainerSet != nil {
		var names []string
		for _, c := range tmpl.ContainerSet.Containers {
			names = append(names, c.Name)
		}
		meta.Annotations[AnnotationContainerSet] = strings.Join(names, ",")
	}
	if tmpl.HTTP != nil {
		meta.Labels[LabelRole] = RoleHTTP
	}
	if names := outputArtifactsAnnotation(tmpl); names != "" {
		meta.Annotations[AnnotationOutputArtifacts] = names
		if keys := outputArtifactKeys(tmpl); keys != "" {
			meta.Annotations[AnnotationArtifactKeys] = keys
		}
	}
	if names := w.archiveLogsAnnotation(tmpl); names != "" {
		meta.Annotations[AnnotationArchiveLogs] = names
	}
	if names := w.gcOnCompletionAnnotation(tmpl); names != "" {
		meta.Annotations[AnnotationGCOnCompletion] = names
	}
	podMeta := metav1.ObjectMeta{Labels: map[string]string{}, Annotations: map[string]string{}}
	if w.Spec.PodMetadata != nil {
		maps.Copy(podMeta.Labels, w.Spec.PodMetadata.Labels)
		maps.Copy(podMeta.Annotations, w.Spec.PodMetadata.Annotations)
	}
	maps.Copy(podMeta.Labels, tmpl.Metadata.Labels)
	maps.Copy(podMeta.Annotations, tmpl.Metadata.Annotations)
	maps.Copy(podMeta.Labels, meta.Labels)
	maps.Copy(podMeta.Annotations, meta.Annotations)

	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			// Retries are the workflow's own: one attempt is one Job.
			BackoffLimit: ptr.To[int32](0),
			Template:     corev1.PodTemplateSpec{ObjectMeta: podMeta, Spec: *pod},
		},
	}
	return job, script, nil
}

// objectMeta is the metadata of every object a node creates.
func (w *Workflow) objectMeta(name, nodeName, template string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:      name,
		Namespace: w.Namespace,
		Labels: map[string]string{
			LabelWorkflow: w.Name,
			LabelNode:     strconv.FormatUint(uint64(NodeHash(nodeName)), 10),
		},
		Annotations: map[string]string{
			AnnotationNodeName: nodeName,
			AnnotationTemplate: template,
		},
		OwnerReferences: w.ownerReferences(),
	}
}

// ownerReferences makes the workflow object own what it creates, so that
// deleting it deletes everything. Without a UID (compile only) there is
// none: a wrong UID would make the garbage collector delete the object.
func (w *Workflow) ownerReferences() []metav1.OwnerReference {
	if w.UID == "" {
		return nil
	}
	return []metav1.OwnerReference{{
		APIVersion: "v1", Kind: "ConfigMap", Name: w.Name, UID: w.UID, Controller: ptr.To(true),
	}}
}

func (w *Workflow) scriptConfigMap(jobName, nodeName string, tmpl *wfv1.Template) *corev1.ConfigMap {
	return w.nodeConfigMap(jobName, nodeName, tmpl, map[string]string{ScriptDataKey: tmpl.Script.Source})
}

// nodeConfigMap is the ConfigMap the driver creates with a node's Job,
// holding what its pod mounts: a script's source, raw artifacts.
func (w *Workflow) nodeConfigMap(jobName, nodeName string, tmpl *wfv1.Template, data map[string]string) *corev1.ConfigMap {
	meta := w.objectMeta(ScriptConfigMapName(jobName), nodeName, tmpl.Name)
	meta.Labels[LabelRole] = RoleScript
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta,
		Data:       data,
	}
}

// podSpec builds the pod from the workflow's and the template's pod-level
// fields; where both set one, the template's wins, as in Argo. containers
// run together; ordered (a containerSet's) run one by one before them,
// after the template's init containers and sidecars.
func (w *Workflow) podSpec(tmpl *wfv1.Template, containers, ordered []corev1.Container) (*corev1.PodSpec, error) {
	spec := &w.Spec
	main := containers[0]
	if i := slices.IndexFunc(containers, func(c corev1.Container) bool { return c.Name == mainContainerName }); i >= 0 {
		main = containers[i]
	}
	pod := &corev1.PodSpec{
		RestartPolicy:                corev1.RestartPolicyNever,
		Containers:                   containers,
		ServiceAccountName:           first(tmpl.ServiceAccountName, spec.ServiceAccountName),
		AutomountServiceAccountToken: firstPtr(tmpl.AutomountServiceAccountToken, spec.AutomountServiceAccountToken),
		NodeSelector:                 firstMap(tmpl.NodeSelector, spec.NodeSelector),
		Affinity:                     firstPtr(tmpl.Affinity, spec.Affinity),
		Tolerations:                  firstSlice(tmpl.Tolerations, spec.Tolerations),
		SchedulerName:                first(tmpl.SchedulerName, spec.SchedulerName),
		PriorityClassName:            first(tmpl.PriorityClassName, spec.PodPriorityClassName),
		SecurityContext:              firstPtr(tmpl.SecurityContext, spec.SecurityContext),
		HostAliases:                  append(slices.Clone(spec.HostAliases), tmpl.HostAliases...),
		ImagePullSecrets:             spec.ImagePullSecrets,
		DNSConfig:                    spec.DNSConfig,
		HostNetwork:                  ptr.Deref(spec.HostNetwork, false),
		Resources:                    firstPtr(tmpl.PodResources, spec.PodResources),
		InitContainers:               slices.Concat(initContainers(tmpl, main), sidecars(tmpl, main), ordered),
	}
	// Volumes mounted by any container.
	var mounts corev1.Container
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		mounts.VolumeMounts = append(mounts.VolumeMounts, c.VolumeMounts...)
	}
	pod.Volumes = usedVolumes(mounts, tmpl.Volumes, spec.Volumes, w.claimVolumes())
	if spec.DNSPolicy != nil {
		pod.DNSPolicy = *spec.DNSPolicy
	}
	if tmpl.ActiveDeadlineSeconds != nil {
		seconds, err := intOrStringValue(*tmpl.ActiveDeadlineSeconds)
		if err != nil {
			return nil, fmt.Errorf("activeDeadlineSeconds: %w", err)
		}
		pod.ActiveDeadlineSeconds = ptr.To(int64(seconds))
	}
	if tmpl.Timeout != "" {
		// Argo enforces a template's timeout through the pod's
		// activeDeadlineSeconds, whichever of the two is sooner.
		d, err := time.ParseDuration(tmpl.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("timeout %q is not a duration such as 30s or 5m", tmpl.Timeout)
		}
		seconds := int64(math.Ceil(d.Seconds()))
		if pod.ActiveDeadlineSeconds == nil || seconds < *pod.ActiveDeadlineSeconds {
			pod.ActiveDeadlineSeconds = ptr.To(seconds)
		}
	}
	return pod, nil
}

// usedVolumes returns the template's and then the workflow's volumes that
// the container mounts, so that a pod carries only what it uses.
func usedVolumes(c corev1.Container, lists ...[]corev1.Volume) []corev1.Volume {
	var out []corev1.Volume
	for _, m := range c.VolumeMounts {
		if slices.ContainsFunc(out, func(v corev1.Volume) bool { return v.Name == m.Name }) {
			continue
		}
		for _, list := range lists {
			if i := slices.IndexFunc(list, func(v corev1.Volume) bool { return v.Name == m.Name }); i >= 0 {
				out = append(out, *list[i].DeepCopy())
				break
			}
		}
	}
	return out
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstPtr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

func firstMap(a, b map[string]string) map[string]string {
	if a != nil {
		return a
	}
	return b
}

func firstSlice[T any](a, b []T) []T {
	if a != nil {
		return a
	}
	return b
}

// initContainers are the template's, run before main as in Argo.
func initContainers(tmpl *wfv1.Template, main corev1.Container) []corev1.Container {
	var out []corev1.Container
	for _, uc := range tmpl.InitContainers {
		out = append(out, userContainer(uc, main))
	}
	return out
}

// sidecars run beside main and are stopped when it ends, as Argo's wait
// container stops them. Kubernetes' native sidecars do exactly that: init
// containers with restartPolicy Always start before main, and the kubelet
// stops them once main has ended, so the pod and its Job complete.
func sidecars(tmpl *wfv1.Template, main corev1.Container) []corev1.Container {
	var out []corev1.Container
	for _, uc := range tmpl.Sidecars {
		c := userContainer(uc, main)
		c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
		out = append(out, c)
	}
	return out
}

// userContainer is an init container or sidecar; with mirrorVolumeMounts it
// also gets main's volume mounts.
func userContainer(uc wfv1.UserContainer, main corev1.Container) corev1.Container {
	c := *uc.Container.DeepCopy()
	if uc.MirrorVolumeMounts != nil && *uc.MirrorVolumeMounts {
		for _, m := range main.VolumeMounts {
			if !slices.ContainsFunc(c.VolumeMounts, func(x corev1.VolumeMount) bool { return x.MountPath == m.MountPath }) {
				c.VolumeMounts = append(c.VolumeMounts, m)
			}
		}
	}
	return c
}
