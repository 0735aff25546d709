package compile

import (
	"slices"
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// The driver acts for a resource template itself, so the template has no
// pod. Argo runs it in one, and a manifest may name that pod with
// {{pod.name}} (to patch or label it, say): such a template gets a pod
// here too, one that only has to exist, and the driver acts once the Job
// controller has named it.

// ResourceNeedsPod reports a resource template whose manifest or flags
// refer to {{pod.name}}. The driver asks on every evaluation, so the
// answer for each of the workflow's own templates is found once, on first
// use; any other template is scanned each time.
func (w *Workflow) ResourceNeedsPod(t *wfv1.Template) bool {
	if t.Resource == nil {
		return false
	}
	if w.resourcePods == nil || w.templates[t.Name] != t {
		return resourceNeedsPod(t)
	}
	w.resourcePods.once.Do(func() {
		w.resourcePods.names = map[string]bool{}
		for name, t := range w.templates {
			if t.Resource != nil && resourceNeedsPod(t) {
				w.resourcePods.names[name] = true
			}
		}
	})
	return w.resourcePods.names[t.Name]
}

// lazyResourcePods names the workflow's resource templates that need a
// pod (ResourceNeedsPod).
type lazyResourcePods struct {
	once  sync.Once
	names map[string]bool
}

func resourceNeedsPod(t *wfv1.Template) bool {
	return refersToTag(t.Resource.Manifest, "pod.name") || slices.ContainsFunc(t.Resource.Flags, func(f string) bool { return refersToTag(f, "pod.name") })
}

func refersToTag(s, name string) bool {
	return slices.ContainsFunc(Tags(s), func(t Tag) bool { return !t.Expression && t.Name == name })
}

// ResourcePodJob is the Job of the pod a resource template that refers to
// {{pod.name}} runs: the template's pod settings, with the executor
// exiting at once as its main container.
func (w *Workflow) ResourcePodJob(nodeName string, t *wfv1.Template) (*batchv1.Job, error) {
	pod := *t
	pod.Resource, pod.Inputs, pod.Outputs = nil, wfv1.Inputs{}, wfv1.Outputs{}
	pod.Container = &corev1.Container{
		Image:           ExecutorImage,
		Command:         []string{executorInImage, "noop"},
		SecurityContext: executorSecurityContext(),
	}
	job, _, err := w.PodObjects(nodeName, &pod)
	return job, err
}
