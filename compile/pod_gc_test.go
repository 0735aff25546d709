package compile

import (
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// TestParsePodGC: what spec.podGC reads as, and which field each refusal
// names for lint's position.
func TestParsePodGC(t *testing.T) {
	badSelector := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Near"}}}
	for _, tc := range []struct {
		name     string
		spec     *wfv1.PodGC
		wantNil  bool
		delay    time.Duration
		badField string
	}{
		{name: "absent", spec: nil, wantNil: true},
		{name: "no strategy deletes nothing", spec: &wfv1.PodGC{DeleteDelayDuration: "5"}, wantNil: true},
		{name: "a bare number is seconds", spec: &wfv1.PodGC{Strategy: PodGCOnPodSuccess, DeleteDelayDuration: "5"}, delay: 5 * time.Second},
		{name: "a Go duration", spec: &wfv1.PodGC{Strategy: PodGCOnWorkflowCompletion, DeleteDelayDuration: "1m"}, delay: time.Minute},
		{name: "unknown strategy", spec: &wfv1.PodGC{Strategy: "OnCompletion"}, badField: "strategy"},
		{name: "bad selector", spec: &wfv1.PodGC{Strategy: PodGCOnPodCompletion, LabelSelector: badSelector}, badField: "labelSelector"},
		{name: "bad delay, even without a strategy", spec: &wfv1.PodGC{DeleteDelayDuration: "soon"}, badField: "deleteDelayDuration"},
		{name: "negative delay", spec: &wfv1.PodGC{Strategy: PodGCOnPodCompletion, DeleteDelayDuration: "-5s"}, badField: "deleteDelayDuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gc, err := ParsePodGC(tc.spec)
			var bad *PodGCError
			switch {
			case tc.badField != "":
				if !errors.As(err, &bad) || bad.Field != tc.badField {
					t.Fatalf("error %v, want one naming %s", err, tc.badField)
				}
			case err != nil:
				t.Fatal(err)
			case tc.wantNil != (gc == nil):
				t.Fatalf("podGC %+v, want nil: %v", gc, tc.wantNil)
			case gc != nil && gc.Delay != tc.delay:
				t.Errorf("delay %v, want %v", gc.Delay, tc.delay)
			}
		})
	}
}
