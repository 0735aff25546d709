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
// $(podNameEnv), set from the downward API. Elsewhere it is a lint error.
const (
	podNameEnv = "KUBECTL_WF_POD_NAME"
	// PodNameRef is what {{pod.name}} resolves to.
	PodNameRef = "$(" + podNameEnv + ")"
)

// podNameExpands matches the field paths where the kubelet expands $(VAR).
var podNameExpands = regexp.MustCompile(`\.(container|script)\.(command|args)\[\d+\]$|\.(container|script)\.env\[\d+\]\.value$`)

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
