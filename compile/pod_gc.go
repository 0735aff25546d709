package compile

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// spec.podGC strategies, as Argo names them.
const (
	PodGCOnPodCompletion      = "OnPodCompletion"
	PodGCOnPodSuccess         = "OnPodSuccess"
	PodGCOnWorkflowCompletion = "OnWorkflowCompletion"
	PodGCOnWorkflowSuccess    = "OnWorkflowSuccess"
)

var podGCStrategies = []string{PodGCOnPodCompletion, PodGCOnPodSuccess, PodGCOnWorkflowCompletion, PodGCOnWorkflowSuccess}

// PodGC is spec.podGC, parsed: which ended pods to delete, and how long
// after their node (or, for the workflow strategies, the workflow) ended.
type PodGC struct {
	Strategy string
	Selector labels.Selector
	Delay    time.Duration
}

// ParsePodGC reads spec.podGC; nil when it deletes nothing (no strategy,
// as in Argo). Lint reports the same errors at their positions.
func ParsePodGC(spec *wfv1.PodGC) (*PodGC, error) {
	if spec == nil || spec.Strategy == "" {
		return nil, nil
	}
	if !slices.Contains(podGCStrategies, spec.Strategy) {
		return nil, fmt.Errorf("podGC.strategy unknown strategy '%s'", spec.Strategy)
	}
	gc := &PodGC{Strategy: spec.Strategy, Selector: labels.Everything()}
	if spec.LabelSelector != nil {
		s, err := metav1.LabelSelectorAsSelector(spec.LabelSelector)
		if err != nil {
			return nil, fmt.Errorf("podGC.labelSelector invalid: %v", err)
		}
		gc.Selector = s
	}
	if d := spec.DeleteDelayDuration; d != "" {
		var err error
		if gc.Delay, err = argoDuration(d); err != nil || gc.Delay < 0 {
			return nil, fmt.Errorf("podGC.deleteDelayDuration %q is not a duration (e.g. 30s, 5m, or a number of seconds)", d)
		}
	}
	return gc, nil
}

// WorkflowWide reports whether pods go only once the workflow has ended.
func (gc *PodGC) WorkflowWide() bool {
	return gc.Strategy == PodGCOnWorkflowCompletion || gc.Strategy == PodGCOnWorkflowSuccess
}

// argoDuration reads a duration as Argo does: a bare number is seconds.
func argoDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

// lintPodGC reports what ParsePodGC would refuse, at the field.
func (l *linter) lintPodGC() {
	spec := l.doc.Spec.PodGC
	if spec == nil {
		return
	}
	if spec.Strategy != "" && !slices.Contains(podGCStrategies, spec.Strategy) {
		l.errorf("spec.podGC.strategy", "podGC.strategy unknown strategy '%s'", spec.Strategy)
	}
	if spec.LabelSelector != nil {
		if _, err := metav1.LabelSelectorAsSelector(spec.LabelSelector); err != nil {
			l.errorf("spec.podGC.labelSelector", "podGC.labelSelector invalid: %v", err)
		}
	}
	if d := spec.DeleteDelayDuration; d != "" && !validDuration(d) {
		l.errorf("spec.podGC.deleteDelayDuration", "podGC.deleteDelayDuration %q is not a duration (e.g. 30s, 5m, or a number of seconds)", d)
	}
}
