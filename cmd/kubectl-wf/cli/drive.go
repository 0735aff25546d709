package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/internal/startuppages"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// drive runs a workflow to its end, showing its progress (a live tree on
// a terminal, one line per node change elsewhere), and returns the exit
// code its final phase calls for. When another driver holds the workflow,
// it says so and follows instead.
func drive(ctx context.Context, cs kubernetes.Interface, res *watch.Resources, namespace, name string, out, errOut io.Writer, noColor bool) error {
	// A driver may run for hours: what only start-up needed of the
	// binary's pages goes back to the kernel (best effort).
	_, _ = startuppages.Release()
	view := newProgressView(out, name, noColor)
	var childErrors sync.Mutex // children end in goroutines of their own
	cfg := watch.Config{Namespace: namespace, Name: name, Identity: driverIdentity(), Resources: res, OnStatus: view.update,
		OnChild: func(_, child string, _ *watch.Status, err error) {
			if err != nil {
				childErrors.Lock()
				defer childErrors.Unlock()
				fmt.Fprintf(errOut, "child workflow %s of %s: %v\n", child, name, err)
			}
		}}
	status, err := watch.Drive(ctx, cs, cfg)
	var held *watch.HeldError
	switch {
	case errors.As(err, &held):
		fmt.Fprintf(errOut, "%v; following it instead\n", held)
		status, err = follow(ctx, cs, cfg, view)
	case watch.IsTransient(err) && ctx.Err() == nil:
		fmt.Fprintf(errOut, "lost the apiserver (%v); following the workflow until it is back\n", err)
		status, err = follow(ctx, cs, cfg, view)
	}
	view.close()
	if ctx.Err() != nil {
		fmt.Fprintf(errOut, "stopped watching; the workflow's Jobs go on. Continue with: kubectl wf watch %s -n %s\n", name, namespace)
		return silentError{ExitFailed}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s", name, status.Phase)
	if status.Message != "" {
		fmt.Fprintf(out, ": %s", status.Message)
	}
	fmt.Fprintln(out)
	if status.Phase != watch.Succeeded {
		return silentError{ExitFailed}
	}
	return nil
}

// follow re-reads a workflow another process drives until it ends, and
// takes over when no driver holds it. While the apiserver is away it
// waits for it.
func follow(ctx context.Context, cs kubernetes.Interface, cfg watch.Config, view progressView) (*watch.Status, error) {
	namespace, name := cfg.Namespace, cfg.Name
	var backoff time.Duration
	pause := func() error {
		backoff = min(max(2*backoff, 500*time.Millisecond), 8*time.Second)
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(backoff):
			return nil
		}
	}
	for {
		snap, err := watch.Read(ctx, cs, namespace, name)
		if watch.IsTransient(err) {
			if err := pause(); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		backoff = 0
		view.update(snap.Status)
		// Ended only once a driver has recorded it: the evaluation of what
		// exists can run ahead of what the driver has recorded.
		if watch.Phase(snap.Object.Annotations[watch.AnnotationPhase]).Fulfilled() {
			return snap.Status, nil
		}
		if snap.Holder == "" {
			// The other driver is gone: take over, unless another follower
			// took over first, which this one then follows.
			status, err := watch.Drive(ctx, cs, cfg)
			var held *watch.HeldError
			switch {
			case watch.IsTransient(err):
				if err := pause(); err != nil {
					return nil, err
				}
			case !errors.As(err, &held):
				return status, err
			}
			continue
		}
		if err := waitForChange(ctx, cs, namespace, name); err != nil {
			return nil, err
		}
	}
}

// printChanges prints the nodes whose phase changed since the last call,
// one plain line each, in a stable order.
func printChanges(out io.Writer, s *watch.Status, seen map[string]watch.Phase) {
	var changed []*watch.Node
	for id, n := range s.Nodes {
		if seen[id] != n.Phase && n.Type != "StepGroup" {
			seen[id] = n.Phase
			changed = append(changed, n)
		}
	}
	slices.SortFunc(changed, func(a, b *watch.Node) int { return strings.Compare(a.Name, b.Name) })
	now := time.Now().Format("15:04:05")
	for _, n := range changed {
		line := fmt.Sprintf("%s %-9s %s", now, n.Phase, n.Name)
		if n.Message != "" {
			line += ": " + n.Message
		}
		fmt.Fprintln(out, line)
	}
}
