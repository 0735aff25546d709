package compile

import (
	"errors"
	"fmt"
	"slices"
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

// PodGCError is what ParsePodGC refuses, with the field of spec.podGC
// at fault, so that lint can point at it.
type PodGCError struct{ Field, Message string }

func (e *PodGCError) Error() string { return e.Message }

// ParsePodGC reads spec.podGC; nil when it deletes nothing (no strategy,
// as in Argo). Lint reports its error at the field it names.
func ParsePodGC(spec *wfv1.PodGC) (*PodGC, error) {
	if spec == nil {
		return nil, nil
	}
	if spec.Strategy != "" && !slices.Contains(podGCStrategies, spec.Strategy) {
		return nil, &PodGCError{"strategy", fmt.Sprintf("podGC.strategy unknown strategy '%s'", spec.Strategy)}
	}
	gc := &PodGC{Strategy: spec.Strategy, Selector: labels.Everything()}
	if spec.LabelSelector != nil {
		s, err := metav1.LabelSelectorAsSelector(spec.LabelSelector)
		if err != nil {
			return nil, &PodGCError{"labelSelector", fmt.Sprintf("podGC.labelSelector invalid: %v", err)}
		}
		gc.Selector = s
	}
	if d := spec.DeleteDelayDuration; d != "" {
		var err error
		if gc.Delay, err = ParseDuration(d); err != nil || gc.Delay < 0 {
			return nil, &PodGCError{"deleteDelayDuration", fmt.Sprintf("podGC.deleteDelayDuration %q is not a duration (e.g. 30s, 5m, or a number of seconds)", d)}
		}
	}
	if spec.Strategy == "" {
		return nil, nil
	}
	return gc, nil
}

// WorkflowWide reports whether pods go only once the workflow has ended.
func (gc *PodGC) WorkflowWide() bool {
	return gc.Strategy == PodGCOnWorkflowCompletion || gc.Strategy == PodGCOnWorkflowSuccess
}

// lintPodGC reports what ParsePodGC refuses, at the field.
func (l *linter) lintPodGC() {
	var bad *PodGCError
	if _, err := ParsePodGC(l.doc.Spec.PodGC); errors.As(err, &bad) {
		l.errorf("spec.podGC."+bad.Field, "%s", bad.Message)
	}
}
