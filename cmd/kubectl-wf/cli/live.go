package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kubectl-wf/kubectl-wf/watch"
)

// progressView shows a workflow as it is driven or followed: on a
// terminal, its summary and node tree redrawn in place (as argo submit
// --watch does), refreshed every second so durations move; elsewhere one
// plain line per node change, which logs and pipes keep readable.
type progressView interface {
	update(s *watch.Status)
	// close stops refreshing; the last frame (or line) stays.
	close()
}

// newProgressView picks the view for out.
func newProgressView(out io.Writer, name string, noColor bool) progressView {
	if !isTerminal(out) {
		return &lineView{out: out, seen: map[string]watch.Phase{}}
	}
	v := &liveView{out: out, name: name, color: useColor(out, noColor), now: time.Now, done: make(chan struct{})}
	go v.tick(time.Second)
	return v
}

// lineView prints one line per node whose phase changed.
type lineView struct {
	mu   sync.Mutex
	out  io.Writer
	seen map[string]watch.Phase
}

func (v *lineView) update(s *watch.Status) {
	v.mu.Lock()
	defer v.mu.Unlock()
	printChanges(v.out, s, v.seen)
}

func (v *lineView) close() {}

// liveView redraws the summary and tree in place.
type liveView struct {
	mu     sync.Mutex
	out    io.Writer
	name   string
	color  bool
	now    func() time.Time
	status *watch.Status
	lines  int // lines of the last frame, to move back over
	done   chan struct{}
	closed bool
}

func (v *liveView) update(s *watch.Status) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.status = s
	v.draw()
}

func (v *liveView) tick(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-v.done:
			return
		case <-t.C:
			v.mu.Lock()
			if !v.closed && v.status != nil {
				v.draw()
			}
			v.mu.Unlock()
		}
	}
}

func (v *liveView) close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.closed {
		v.closed = true
		close(v.done)
	}
}

// draw replaces the last frame with the current one. Called with mu held.
func (v *liveView) draw() {
	var frame bytes.Buffer
	renderFrame(&frame, v.name, v.status, v.now(), v.color)
	var b strings.Builder
	if v.lines > 0 {
		fmt.Fprintf(&b, "\033[%dA", v.lines) // back to the frame's first line
	}
	b.WriteString("\033[J") // and clear from there down
	b.Write(frame.Bytes())
	v.lines = bytes.Count(frame.Bytes(), []byte("\n"))
	_, _ = io.WriteString(v.out, b.String())
}

// renderFrame writes what the live view shows: argo get's summary lines
// that change while a workflow runs, then its tree.
func renderFrame(out io.Writer, name string, s *watch.Status, now time.Time, color bool) {
	fmt.Fprintf(out, "Name:      %s\n", name)
	status := string(s.Phase)
	if s.Suspended {
		status += " (Suspended)"
	}
	fmt.Fprintf(out, "Status:    %s\n", status)
	if s.Message != "" {
		fmt.Fprintf(out, "Message:   %s\n", s.Message)
	}
	if root := s.Nodes[s.Root]; root != nil && root.StartedAt != nil {
		end := now
		if root.FinishedAt != nil && s.Phase.Fulfilled() {
			end = *root.FinishedAt
		}
		fmt.Fprintf(out, "Duration:  %s\n", duration.HumanDuration(end.Sub(*root.StartedAt)))
	}
	fmt.Fprintf(out, "Progress:  %s\n\n", s.Progress)
	_ = printTree(out, s, now, color)
}

// isTerminal reports whether out is a character device, as a terminal is.
func isTerminal(out io.Writer) bool {
	f, ok := out.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
