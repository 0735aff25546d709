package watch

import (
	"testing"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

func TestTTLSeconds(t *testing.T) {
	n := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		name  string
		ttl   *wfv1.TTLStrategy
		phase Phase
		want  int32
		ok    bool
	}{
		{"none", nil, Succeeded, 0, false},
		{"completion applies to both", &wfv1.TTLStrategy{SecondsAfterCompletion: n(10)}, Failed, 10, true},
		{"success overrides completion", &wfv1.TTLStrategy{SecondsAfterCompletion: n(10), SecondsAfterSuccess: n(5)}, Succeeded, 5, true},
		{"failure overrides completion", &wfv1.TTLStrategy{SecondsAfterCompletion: n(10), SecondsAfterFailure: n(3)}, Error, 3, true},
		{"only success set, failed workflow kept", &wfv1.TTLStrategy{SecondsAfterSuccess: n(5)}, Failed, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &driver{w: &compile.Workflow{Spec: wfv1.WorkflowSpec{TTLStrategy: tc.ttl}}}
			got, ok := d.ttlSeconds(tc.phase)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ttlSeconds(%s) = %d, %v; want %d, %v", tc.phase, got, ok, tc.want, tc.ok)
			}
		})
	}
}
