package compile

import (
	"slices"

	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// containerSetContainers lowers a containerSet's graph to one pod. The
// containers nothing depends on run together as the pod's containers, as
// Argo runs them; the ones others depend on run first, one at a time in
// dependency order (the written order among independent ones), as init
// containers, so that each starts only after everything it depends on has
// succeeded. Each gets the set's volumeMounts, as in Argo.
func containerSetContainers(cs *wfv1.ContainerSetTemplate) (ordered, parallel []corev1.Container) {
	needed := map[string]bool{}
	for _, c := range cs.Containers {
		for _, d := range c.Dependencies {
			needed[d] = true
		}
	}
	done := map[string]bool{}
	for progress := true; progress; {
		progress = false
		for _, c := range cs.Containers {
			if done[c.Name] || !needed[c.Name] || slices.ContainsFunc(c.Dependencies, func(d string) bool { return !done[d] }) {
				continue
			}
			done[c.Name], progress = true, true
			ordered = append(ordered, withSetMounts(c, cs))
		}
	}
	for _, c := range cs.Containers {
		if !needed[c.Name] {
			parallel = append(parallel, withSetMounts(c, cs))
		}
	}
	return ordered, parallel
}

func withSetMounts(c wfv1.ContainerNode, cs *wfv1.ContainerSetTemplate) corev1.Container {
	out := *c.Container.DeepCopy()
	out.VolumeMounts = append(out.VolumeMounts, cs.VolumeMounts...)
	return out
}
