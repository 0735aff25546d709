package watch

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestIsTransient(t *testing.T) {
	cm := schema.GroupResource{Resource: "configmaps"}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "connect: connection refused"}}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", fmt.Errorf("get: %w", syscall.ECONNREFUSED), true},
		{"dial error", fmt.Errorf("get: %w", refused), true},
		{"unexpected EOF", fmt.Errorf("watch: %w", io.ErrUnexpectedEOF), true},
		{"server timeout", apierrors.NewServerTimeout(cm, "get", 1), true},
		{"too many requests", apierrors.NewTooManyRequests("slow down", 1), true},
		{"service unavailable", apierrors.NewServiceUnavailable("starting"), true},
		{"not found", apierrors.NewNotFound(cm, "wf"), false},
		{"forbidden", apierrors.NewForbidden(cm, "wf", errors.New("no")), false},
		{"conflict", apierrors.NewConflict(cm, "wf", errors.New("changed")), false},
		{"invalid", apierrors.NewBadRequest("bad"), false},
		{"plain error", errors.New("template not found"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsTransient(tc.err); got != tc.want {
				t.Errorf("IsTransient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
