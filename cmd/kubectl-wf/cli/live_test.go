package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

func liveStatus(phase watch.Phase, progress string) *watch.Status {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &watch.Status{Phase: phase, Progress: progress, Root: "wf", Nodes: map[string]*watch.Node{
		"wf":   {ID: "wf", Name: "wf", DisplayName: "wf", Type: "Steps", Template: "main", Phase: phase, StartedAt: &start, Children: []string{"wf-1"}},
		"wf-1": {ID: "wf-1", Name: "wf[0]", DisplayName: "[0]", Type: "StepGroup", Template: "main", Phase: phase, Children: []string{"wf-2"}},
		"wf-2": {ID: "wf-2", Name: "wf[0].a", DisplayName: "a", Type: "Pod", Template: "run", Phase: phase, Pod: "wf-run-1", StartedAt: &start},
	}}
}

// The live view draws a frame, then replaces it: up over the last frame's
// lines, clear, the new frame.
func TestLiveViewRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 1, 2, 3, 4, 15, 0, time.UTC)
	v := &liveView{out: &out, name: "wf", now: func() time.Time { return now }, done: make(chan struct{})}
	v.update(liveStatus(watch.Running, "0/1"))
	first := out.String()
	if !strings.HasPrefix(first, "\033[J") || !strings.Contains(first, "Status:    Running") || !strings.Contains(first, "● a") {
		t.Fatalf("first frame:\n%q", first)
	}
	lines := strings.Count(first, "\n")
	out.Reset()
	v.update(liveStatus(watch.Succeeded, "1/1"))
	second := out.String()
	if want := fmt.Sprintf("\033[%dA\033[J", lines); !strings.HasPrefix(second, want) {
		t.Errorf("second frame starts %q, want %q (back over %d lines)", second[:min(12, len(second))], want, lines)
	}
	for _, want := range []string{"Status:    Succeeded", "Progress:  1/1", "✔ a", "Duration:  10s"} {
		if !strings.Contains(second, want) {
			t.Errorf("second frame lacks %q:\n%s", want, second)
		}
	}
	v.close()
	v.close() // twice is harmless
}

// Off a terminal, the view prints one plain line per change.
func TestLineViewOffTerminal(t *testing.T) {
	var out bytes.Buffer
	v := newProgressView(&out, "wf", false)
	v.update(liveStatus(watch.Running, "0/1"))
	v.update(liveStatus(watch.Running, "0/1"))
	v.update(liveStatus(watch.Succeeded, "1/1"))
	v.close()
	got := out.String()
	if strings.Contains(got, "\033[") || strings.Count(got, "Running") != 2 || strings.Count(got, "Succeeded") != 2 {
		t.Errorf("plain lines, one per node change, want 2 Running and 2 Succeeded:\n%s", got)
	}
}

// Colour needs a terminal: a buffer gets none (the tmux test checks a
// real terminal, with and without NO_COLOR and --no-color).
func TestNoColourOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	if useColor(&buf, false) {
		t.Error("colour on for a buffer, which is no terminal")
	}
}
