package compile

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Output artifacts leave a pod through kubectl-wf's executor (the
// executor package): main's command runs under it, and it saves each
// artifact once the command has ended; a native sidecar prints what it
// saved to its log when the kubelet stops it, after main; the driver reads
// that log and keeps each artifact in a ConfigMap (StoredArtifact).
const (
	// ExecutorImage holds the executor at /kubectl-wf-executor.
	ExecutorImage = "ghcr.io/kubectl-wf/executor:latest"
	// ArtifactsContainerName is the sidecar whose log holds the artifacts.
	ArtifactsContainerName = "kubectl-wf-artifacts"
	// AnnotationOutputArtifacts lists (comma-separated) the output
	// artifacts a Job's pod saves.
	AnnotationOutputArtifacts = Domain + "/output-artifacts"

	executorVolumeName    = "kubectl-wf-executor"
	executorDir           = "/var/run/kubectl-wf"
	executorInImage       = "/kubectl-wf-executor"
	executorInPod         = executorDir + "/kubectl-wf-executor"
	executorArtifactsDir  = executorDir + "/artifacts"
	executorInstallerName = "kubectl-wf-init"
)

// pathArtifacts are the output artifacts a template's pod saves, in
// order: those with a path.
func pathArtifacts(t *wfv1.Template) []wfv1.Artifact {
	var out []wfv1.Artifact
	for _, a := range t.Outputs.Artifacts {
		if a.Path != "" {
			out = append(out, a)
		}
	}
	return out
}

// withArtifactExecutor makes the pod save tmpl's output artifacts: main
// runs its command under the executor, which an init container installs
// in a volume they share, and the sidecar prints what was saved. main
// must have a command: its image's entrypoint is not known here.
func withArtifactExecutor(pod *corev1.PodSpec, main *corev1.Container, tmpl *wfv1.Template) error {
	artifacts := pathArtifacts(tmpl)
	if len(artifacts) == 0 {
		return nil
	}
	if len(main.Command) == 0 {
		return fmt.Errorf("output artifacts: the container needs a command, which kubectl-wf runs under its executor to save them")
	}
	wrap := []string{executorInPod, "wrap", "--out", executorArtifactsDir}
	for _, a := range artifacts {
		wrap = append(wrap, "--artifact", a.Name+"="+a.Path)
		if a.Optional {
			wrap = append(wrap, "--optional", a.Name)
		}
	}
	wrap = append(wrap, "--")
	main.Command = slices.Concat(wrap, main.Command, main.Args)
	main.Args = nil
	mount := corev1.VolumeMount{Name: executorVolumeName, MountPath: executorDir}
	main.VolumeMounts = append(main.VolumeMounts, mount)
	installer := corev1.Container{
		Name: executorInstallerName, Image: ExecutorImage,
		Command:         []string{executorInImage, "install", executorInPod},
		VolumeMounts:    []corev1.VolumeMount{mount},
		SecurityContext: executorSecurityContext(),
	}
	sidecar := corev1.Container{
		Name: ArtifactsContainerName, Image: ExecutorImage,
		Command:         []string{executorInImage, "emit", executorArtifactsDir},
		RestartPolicy:   ptr.To(corev1.ContainerRestartPolicyAlways),
		VolumeMounts:    []corev1.VolumeMount{mount},
		SecurityContext: executorSecurityContext(),
	}
	pod.InitContainers = append([]corev1.Container{installer, sidecar}, pod.InitContainers...)
	pod.Volumes = append(pod.Volumes, corev1.Volume{Name: executorVolumeName, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	return nil
}

// outputArtifactsAnnotation is the value of AnnotationOutputArtifacts.
func outputArtifactsAnnotation(t *wfv1.Template) string {
	var names []string
	for _, a := range pathArtifacts(t) {
		names = append(names, a.Name)
	}
	return strings.Join(names, ",")
}

// executorSecurityContext runs kubectl-wf's own containers as nobody,
// with nothing more than reading and writing the volume they share: they
// then run in a pod that must not run as root, and under the Pod Security
// Standard "restricted". The emptyDir is writable by all, and what the
// executor writes there is readable by all.
func executorSecurityContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsUser:                ptr.To[int64](65534),
		RunAsGroup:               ptr.To[int64](65534),
		RunAsNonRoot:             ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}
