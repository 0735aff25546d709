package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/client-go/kubernetes"
)

// runResult is how a submitted example ended.
type runResult struct {
	Name     string
	Phase    string
	Duration time.Duration
	// Causes say why it did not succeed: the failed (or, after a
	// timeout, unfinished) leaf nodes.
	Causes   []cause
	TimedOut bool
}

func (r *runResult) succeeded() bool {
	return r != nil && r.Phase == "Succeeded" && !r.TimedOut && len(r.Causes) == 0
}

// Reason is the causes in one line: the first of each category, and how
// many more there are.
func (r *runResult) Reason() string {
	var shown []string
	seen := map[string]bool{}
	for _, c := range r.Causes {
		if cat := c.category(); !seen[cat] {
			seen[cat] = true
			shown = append(shown, c.String())
		}
	}
	if more := len(r.Causes) - len(shown); more > 0 {
		shown = append(shown, fmt.Sprintf("and %d more like these", more))
	}
	s := strings.Join(shown, "; ")
	if r.TimedOut {
		s = "timed out: " + s
	}
	return s
}

// runAll submits every CI-tested example that lints clean (and matches
// filter), parallel at a time, each with its own time limit.
func runAll(ctx context.Context, cs kubernetes.Interface, c *corpus, dir, bin, ns string, filter *regexp.Regexp, parallel int, timeout time.Duration) {
	var todo []*example
	for _, ex := range c.Examples {
		if ex.CITested && ex.Lint.Clean() && filter.MatchString(ex.File) {
			todo = append(todo, ex)
		}
	}
	queue := make(chan *example)
	var wg sync.WaitGroup
	var done atomic.Int32
	for range parallel {
		wg.Go(func() {
			for ex := range queue {
				r := &runner{cs: cs, bin: bin, ns: ns, timeout: timeout}
				ex.Run = r.run(ctx, filepath.Join(dir, filepath.FromSlash(ex.File)))
				fmt.Fprintf(os.Stderr, "[%d/%d] %-50s %-10s %4ds %s\n", done.Add(1), len(todo), ex.File,
					ex.Run.Phase, int(ex.Run.Duration.Seconds()), ex.Run.Reason())
			}
		})
	}
	for _, ex := range todo {
		if ctx.Err() != nil {
			break
		}
		queue <- ex
	}
	close(queue)
	wg.Wait()
}

// runner runs one example.
type runner struct {
	cs      kubernetes.Interface
	bin, ns string
	timeout time.Duration
}

// created is the line submit prints once the workflow exists.
var created = regexp.MustCompile(`(?m)^workflow/(\S+) created`)

// run runs `kubectl-wf submit FILE -n NS` in the foreground: it drives the
// workflow to its end and exits 0 when it Succeeded.
func (r *runner) run(ctx context.Context, path string) *runResult {
	tctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, r.bin, "submit", path, "-n", r.ns)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	res := &runResult{Duration: time.Since(start), TimedOut: tctx.Err() == context.DeadlineExceeded}
	m := created.FindStringSubmatch(stdout.String())
	if m == nil {
		res.Phase = "NotCreated"
		res.Causes = []cause{{Node: "submit", Message: lastLine(stderr.String(), err)}}
		return res
	}
	res.Name = m[1]
	st, err := r.status(ctx, res.Name)
	if err != nil {
		res.Phase, res.Causes = "Unknown", []cause{{Node: "get", Message: err.Error()}}
		return res
	}
	res.Phase = st.Phase
	if st.Phase != "Succeeded" || res.TimedOut {
		res.Causes = st.causes()
		r.addLastOutput(ctx, st, res.Causes)
	}
	if res.TimedOut {
		if c, ok := pendingReason(ctx, r.cs, r.ns, res.Name); ok {
			res.Causes = append(res.Causes, c)
		}
		// Its pods would go on using the machine's two cores.
		_ = exec.Command(r.bin, "delete", res.Name, "-n", r.ns).Run()
	}
	return res
}

// status is the part of `kubectl wf get -o json` the report needs.
type status struct {
	Phase   string                `json:"phase"`
	Message string                `json:"message"`
	Nodes   map[string]statusNode `json:"nodes"`
}

type statusNode struct {
	Name     string   `json:"name"`
	Phase    string   `json:"phase"`
	Message  string   `json:"message"`
	Pod      string   `json:"podName"`
	Children []string `json:"children"`
}

func (r *runner) status(ctx context.Context, name string) (*status, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, r.bin, "get", name, "-n", r.ns, "-o", "json")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, errors.New(lastLine(stderr.String(), err))
	}
	var doc struct {
		Status *status `json:"status"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	if doc.Status == nil {
		return nil, errors.New("no status")
	}
	return doc.Status, nil
}

// oneLine collapses white space and keeps the first 300 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// lastLine is the last non-empty line of a command's stderr, or its error.
func lastLine(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return oneLine(l)
	}
	if err != nil {
		return err.Error()
	}
	return "no output"
}
