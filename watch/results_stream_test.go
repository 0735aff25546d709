package watch

import (
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestRefusesStream(t *testing.T) {
	podLogOptions := schema.GroupKind{Kind: "PodLogOptions"}
	// What an apiserver without the PodLogsQuerySplitStreams gate answers.
	refused := apierrors.NewInvalid(podLogOptions, "p", field.ErrorList{field.Forbidden(field.NewPath("stream"), "may not be specified")})
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"the gate is off", refused, true},
		{"wrapped", fmt.Errorf("reading: %w", refused), true},
		{"another field is invalid", apierrors.NewInvalid(podLogOptions, "p", field.ErrorList{field.Invalid(field.NewPath("tailLines"), -1, "must be positive")}), false},
		{"no such pod", apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, "p"), false},
		{"not an API error", errors.New("connection refused"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refusesStream(tt.err); got != tt.want {
				t.Errorf("refusesStream(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
