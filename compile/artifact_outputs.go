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
// ExecutorImage holds the executor at /kubectl-wf-executor. A release
// build sets it to the image of its own version (hack/dist.sh); a
// development build runs the one hack/images/build.sh pushes to the local
// cluster's registry.
var ExecutorImage = "ghcr.io/kubectl-wf/executor:latest"

const (
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

// withArtifactExecutor makes the pod save tmpl's output artifacts, and
// read a containerSet's output files on volumes (sidecarOutputFiles). One
// on a volume main mounts, the sidecar collects itself once main has
// ended, by mounting that volume too. Any other is saved by the executor,
// which an init container installs in a volume they share and under which
// main then runs its command; a container with no command, whose image's
// entrypoint is not known here, gets a volume for it instead
// (seeded_dirs.go).
func withArtifactExecutor(pod *corev1.PodSpec, main *corev1.Container, tmpl *wfv1.Template) error {
	artifacts, files := pathArtifacts(tmpl), sidecarOutputFiles(tmpl)
	if len(artifacts) == 0 && len(files) == 0 {
		return nil
	}
	mount := corev1.VolumeMount{Name: executorVolumeName, MountPath: executorDir}
	mainVolumes := mainMounts(tmpl)
	var seed *corev1.Container
	if seedsArtifacts(tmpl) {
		dirs, err := seededDirs(tmpl)
		if err != nil {
			return err
		}
		if len(dirs) > 0 {
			c, seeded := withSeededDirs(pod, main, dirs)
			seed, mainVolumes = &c, slices.Concat(mainVolumes, seeded)
		}
	}
	sidecarMounts := []corev1.VolumeMount{mount}
	var wrapped, collected []string
	for _, f := range files {
		collected = append(collected, "--output-file", f)
		sidecarMounts = withMountOf(sidecarMounts, mainVolumes, f)
	}
	for _, a := range artifacts {
		flags := []string{"--artifact", a.Name + "=" + a.Path}
		if a.Optional {
			flags = append(flags, "--optional", a.Name)
		}
		if _, ok := volumeHolding(mainVolumes, a.Path); !ok {
			wrapped = append(wrapped, flags...)
			continue
		}
		collected = append(collected, flags...)
		sidecarMounts = withMountOf(sidecarMounts, mainVolumes, a.Path)
	}
	// main first: it may be one of the init containers prepended to.
	inits := []corev1.Container{}
	if len(wrapped) > 0 || seed != nil {
		inits = append(inits, corev1.Container{
			Name: executorInstallerName, Image: ExecutorImage,
			Command:         []string{executorInImage, "install", executorInPod},
			VolumeMounts:    []corev1.VolumeMount{mount},
			SecurityContext: executorSecurityContext(),
		})
	}
	if seed != nil {
		inits = append(inits, *seed)
	}
	if len(wrapped) > 0 {
		if len(main.Command) == 0 {
			return fmt.Errorf("output artifacts: the container needs a command, which kubectl-wf runs under its executor to save them")
		}
		wrap := slices.Concat([]string{executorInPod, "wrap", "--out", executorArtifactsDir}, wrapped, []string{"--"})
		main.Command = slices.Concat(wrap, main.Command, main.Args)
		main.Args = nil
		main.VolumeMounts = append(main.VolumeMounts, mount)
	}
	inits = append(inits, corev1.Container{
		Name: ArtifactsContainerName, Image: ExecutorImage,
		Command:         slices.Concat([]string{executorInImage, "emit"}, collected, []string{executorArtifactsDir}),
		RestartPolicy:   ptr.To(corev1.ContainerRestartPolicyAlways),
		VolumeMounts:    sidecarMounts,
		SecurityContext: executorSecurityContext(),
	})
	pod.InitContainers = append(inits, pod.InitContainers...)
	pod.Volumes = append(pod.Volumes, corev1.Volume{Name: executorVolumeName, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	return nil
}

// withMountOf adds to the sidecar's mounts, read-only, the one of main's
// (mainVolumes) that path lies on, unless it has it.
func withMountOf(mounts, mainVolumes []corev1.VolumeMount, path string) []corev1.VolumeMount {
	m, _ := volumeHolding(mainVolumes, path)
	if slices.ContainsFunc(mounts, func(o corev1.VolumeMount) bool { return o.MountPath == m.MountPath }) {
		return mounts
	}
	m.ReadOnly = true
	return append(mounts, m)
}

// mainOf is the pod's container named main: a containerSet's may run
// among the init containers, before those that depend on it.
func mainOf(pod *corev1.PodSpec) *corev1.Container {
	for _, list := range [][]corev1.Container{pod.Containers, pod.InitContainers} {
		for i := range list {
			if list[i].Name == mainContainerName {
				return &list[i]
			}
		}
	}
	return &pod.Containers[0]
}

// mainMounts are the volume mounts tmpl gives its main container.
func mainMounts(t *wfv1.Template) []corev1.VolumeMount {
	switch {
	case t.Container != nil:
		return t.Container.VolumeMounts
	case t.Script != nil:
		return t.Script.VolumeMounts
	case t.ContainerSet != nil:
		for _, c := range t.ContainerSet.Containers {
			if c.Name == mainContainerName {
				return slices.Concat(c.VolumeMounts, t.ContainerSet.VolumeMounts)
			}
		}
	}
	return nil
}

// volumeHolding is the mount, of those given, that path lies on: the
// deepest, as the container sees the deepest.
func volumeHolding(mounts []corev1.VolumeMount, path string) (corev1.VolumeMount, bool) {
	var found corev1.VolumeMount
	ok := false
	for _, m := range mounts {
		dir := strings.TrimSuffix(m.MountPath, "/")
		if (path == dir || strings.HasPrefix(path, dir+"/")) && (!ok || len(dir) > len(strings.TrimSuffix(found.MountPath, "/"))) {
			found, ok = m, true
		}
	}
	return found, ok
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
