package compile

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// A container with no command keeps its image's entrypoint, which is not
// known here (Argo's emissary looks it up in the image's registry), so its
// command cannot run under the executor. Its output artifacts that lie on
// none of its volumes are put on one instead: an emptyDir mounted at each
// one's directory, which the artifacts sidecar then reads as any volume
// main mounts. So that the image's own files there stay in sight, an init
// container of main's image (kubectl-wf-seed) first copies the directory
// into the emptyDir with the executor's seed, as main's user.
const (
	seedContainerName = "kubectl-wf-seed"
	seedVolumePrefix  = "kubectl-wf-seed-"
	// seedScratchDir is where the seed container mounts each emptyDir,
	// outside any directory it copies (none is /).
	seedScratchDir = "/kubectl-wf-seed"
)

// seedsArtifacts tells whether tmpl's output artifacts off volumes are
// put on seeded emptyDirs: a container template with no command. A
// script always has one.
func seedsArtifacts(t *wfv1.Template) bool {
	return t.Container != nil && len(t.Container.Command) == 0
}

// seededDirs are the directories that hold tmpl's output artifacts on
// none of main's volumes, each mounted as one emptyDir: their parent
// directories, one for all those under another. A parent that is / cannot
// be a volume's.
func seededDirs(t *wfv1.Template) ([]string, error) {
	var parents []string
	for _, a := range pathArtifacts(t) {
		if onVolume(t, a) {
			continue
		}
		dir, err := seededDir(a)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(parents, dir) {
			parents = append(parents, dir)
		}
	}
	var dirs []string
	for _, p := range parents {
		if !slices.ContainsFunc(parents, func(outer string) bool { return strings.HasPrefix(p, outer+"/") }) {
			dirs = append(dirs, p)
		}
	}
	return dirs, nil
}

// seededDir is the directory of an output artifact off volumes.
func seededDir(a wfv1.Artifact) (string, error) {
	if !path.IsAbs(a.Path) {
		return "", fmt.Errorf("output artifact %q: path %q must be absolute", a.Name, a.Path)
	}
	dir := path.Dir(path.Clean(a.Path))
	if dir == "/" {
		return "", fmt.Errorf("output artifact %q: %s is in /, where kubectl-wf cannot mount the emptyDir it saves an artifact of a container with no command from", a.Name, a.Path)
	}
	return dir, nil
}

// withSeededDirs mounts an emptyDir at each of dirs in main. It returns
// the init container of main's image that seeds them, to run once the
// executor is installed, and the mounts it gave main.
func withSeededDirs(pod *corev1.PodSpec, main *corev1.Container, dirs []string) (corev1.Container, []corev1.VolumeMount) {
	seed := corev1.Container{
		Name:            seedContainerName,
		Image:           main.Image,
		ImagePullPolicy: main.ImagePullPolicy,
		Command:         []string{executorInPod, "seed"},
		VolumeMounts:    []corev1.VolumeMount{{Name: executorVolumeName, MountPath: executorDir, ReadOnly: true}},
		// As main's user, so that what it copies is main's, as in the
		// image main would have seen.
		SecurityContext: main.SecurityContext.DeepCopy(),
	}
	var mounts []corev1.VolumeMount
	for i, dir := range dirs {
		name := seedVolumePrefix + strconv.Itoa(i)
		scratch := seedScratchDir + "/" + strconv.Itoa(i)
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		mounts = append(mounts, corev1.VolumeMount{Name: name, MountPath: dir})
		seed.VolumeMounts = append(seed.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: scratch})
		seed.Command = append(seed.Command, dir, scratch)
	}
	main.VolumeMounts = append(main.VolumeMounts, mounts...)
	return seed, mounts
}

// withSeedAsMain gives the seed container main's image and user again,
// after a podSpecPatch may have changed main's.
func withSeedAsMain(pod *corev1.PodSpec) {
	for i := range pod.InitContainers {
		if c := &pod.InitContainers[i]; c.Name == seedContainerName {
			main := mainOf(pod)
			c.Image, c.ImagePullPolicy, c.SecurityContext = main.Image, main.ImagePullPolicy, main.SecurityContext.DeepCopy()
		}
	}
}
