package compile

import (
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// A Job's pod is named by the Job controller after the Job is made, so
// {{pod.name}} cannot be substituted when the Job is built. In a main
// container's command, args and env values the kubelet expands $(VAR)
// from the container's environment: there {{pod.name}} becomes
// $(podNameEnv), set from the downward API; a script's source is rendered
// with it (withRenderedScript); a resource template gets a pod to name
// (resource_pod.go). Elsewhere it is a lint error.
const (
	podNameEnv = "KUBECTL_WF_POD_NAME"
	// PodNameRef is what {{pod.name}} resolves to.
	PodNameRef = "$(" + podNameEnv + ")"
)

// podNameExpands matches the field paths where {{pod.name}} is given.
var podNameExpands = regexp.MustCompile(`\.(container|script)\.(command|args)\[\d+\]$|\.(container|script)\.env\[\d+\]\.value$|\.script\.source$|\.resource\.(manifest|flags\[\d+\])$`)

// withPodName gives the main container the pod-name variable when it
// uses it, first, so that later env values can refer to it.
func withPodName(main *corev1.Container) {
	uses := slices.ContainsFunc(main.Command, refersToPodName) || slices.ContainsFunc(main.Args, refersToPodName) ||
		slices.ContainsFunc(main.Env, func(e corev1.EnvVar) bool { return refersToPodName(e.Value) })
	if !uses {
		return
	}
	env := corev1.EnvVar{Name: podNameEnv, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}
	main.Env = append([]corev1.EnvVar{env}, main.Env...)
}

func refersToPodName(s string) bool { return strings.Contains(s, PodNameRef) }

// A script's source is a file, which the kubelet does not expand: one that
// refers to the pod's name is rendered when the pod starts, by an init
// container that copies it from the ConfigMap into a volume main mounts
// instead, with $(podNameEnv) replaced.
const (
	renderedVolumeName   = "kubectl-wf-rendered"
	renderContainerName  = "kubectl-wf-render"
	renderSourceDir      = executorDir + "/source"
	renderDestinationDir = executorDir + "/rendered"
)

// withRenderedScript makes main run a script source rendered with the
// pod's name, when the source refers to it.
func withRenderedScript(pod *corev1.PodSpec, main *corev1.Container, source string) {
	if !refersToPodName(source) {
		return
	}
	for i, m := range main.VolumeMounts {
		if m.Name == ScriptVolumeName {
			main.VolumeMounts[i].Name = renderedVolumeName
		}
	}
	render := corev1.Container{
		Name:  renderContainerName,
		Image: ExecutorImage,
		Command: []string{executorInImage, "render",
			renderSourceDir + "/" + ScriptDataKey, renderDestinationDir + "/" + ScriptDataKey, podNameEnv},
		Env: []corev1.EnvVar{{Name: podNameEnv, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
		VolumeMounts: []corev1.VolumeMount{
			{Name: ScriptVolumeName, MountPath: renderSourceDir, ReadOnly: true},
			{Name: renderedVolumeName, MountPath: renderDestinationDir},
		},
		SecurityContext: executorSecurityContext(),
	}
	pod.InitContainers = append([]corev1.Container{render}, pod.InitContainers...)
	pod.Volumes = append(pod.Volumes, corev1.Volume{Name: renderedVolumeName, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
}
