package watch

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPace: a reconcile woken by an event waits only while less time has
// passed since the last one than its evaluation took, and not past the
// driver's end.
func TestPace(t *testing.T) {
	stopped := errors.New("stopped")
	for _, tc := range []struct {
		name     string
		evalTook time.Duration
		since    time.Duration // since the last reconcile ended
		cancel   bool
		want     error
	}{
		{name: "a small workflow is not held back", evalTook: 0, since: 0},
		{name: "the time has passed", evalTook: time.Hour, since: 2 * time.Hour},
		{name: "held, until the driver stops", evalTook: time.Hour, since: 0, cancel: true, want: stopped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			if tc.cancel {
				cancel(stopped)
			}
			defer cancel(nil)
			d := &driver{evalTook: tc.evalTook}
			done := make(chan error, 1)
			go func() { done <- d.pace(ctx, time.Now().Add(-tc.since)) }()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) {
					t.Errorf("pace = %v, want %v", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("pace held the reconcile back")
			}
		})
	}
}
