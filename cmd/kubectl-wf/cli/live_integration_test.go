package cli

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
)

// TestLiveTreeInATerminal runs submit in a real terminal (tmux) and reads
// the screen: the summary and tree are redrawn in place while the workflow
// runs, and the last frame shows it Succeeded, once.
func TestLiveTreeInATerminal(t *testing.T) {
	kubeconfig := testcluster.Kubeconfig(t)
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatal("tmux is needed (hack/test.sh installs it)")
	}
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	bin := buildBinary(t)
	session := "kwf-" + ns
	script := strings.Join([]string{bin, "submit", filepath.Join(mustAbs(t, fixturesDir), "steps-serial.yaml"),
		"--name", "live", "--kubeconfig", kubeconfig, "-n", ns}, " ") + "; echo EXIT=$?; sleep 60"
	if out, err := exec.Command(tmux, "new-session", "-d", "-s", session, "-x", "160", "-y", "50", script).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "kill-session", "-t", session).Run() })
	screen := func() string {
		out, _ := exec.Command(tmux, "capture-pane", "-p", "-t", session).Output()
		return string(out)
	}
	var running string
	waitFor(t, 90*time.Second, func() bool {
		s := screen()
		if strings.Contains(s, "Status:    Running") && running == "" {
			running = s
		}
		return strings.Contains(s, "EXIT=")
	})
	final := screen()
	if running == "" {
		t.Errorf("never saw the workflow Running on screen")
	}
	for _, want := range []string{"Status:    Succeeded", "Progress:  3/3", "EXIT=0"} {
		if !strings.Contains(final, want) {
			t.Errorf("the last screen lacks %q:\n%s", want, final)
		}
	}
	// Redrawn in place: one header and one summary on screen, not a log of frames.
	if n := strings.Count(final, "STEP "); n != 1 {
		t.Errorf("%d tree headers on screen, want 1 (redrawn in place):\n%s", n, final)
	}
	if n := len(regexp.MustCompile(`(?m)^Status:`).FindAllString(final, -1)); n != 1 {
		t.Errorf("%d Status lines on screen, want 1:\n%s", n, final)
	}
	if n := strings.Count(final, "✔"); n < 4 {
		t.Errorf("%d ✔ marks, want the workflow and its 3 steps:\n%s", n, final)
	}
	if colored, _ := exec.Command(tmux, "capture-pane", "-p", "-e", "-t", session).Output(); !strings.Contains(string(colored), "\x1b[32m✔") {
		t.Errorf("no green ✔ on a colour terminal:\n%q", colored)
	}
	// NO_COLOR and --no-color each turn colour off.
	for i, cmd := range [][]string{{"env", "NO_COLOR=1", bin, "get", "live"}, {bin, "get", "live", "--no-color"}} {
		quiet := fmt.Sprintf("%s-quiet-%d", session, i)
		script := strings.Join(append(cmd, "--kubeconfig", kubeconfig, "-n", ns), " ") + "; echo EXIT=$?; sleep 30"
		if out, err := exec.Command(tmux, "new-session", "-d", "-s", quiet, "-x", "160", "-y", "50", script).CombinedOutput(); err != nil {
			t.Fatalf("tmux: %v: %s", err, out)
		}
		var screen string
		waitFor(t, 30*time.Second, func() bool {
			out, _ := exec.Command(tmux, "capture-pane", "-p", "-e", "-t", quiet).Output()
			screen = string(out)
			return strings.Contains(screen, "EXIT=")
		})
		_ = exec.Command(tmux, "kill-session", "-t", quiet).Run()
		if !strings.Contains(screen, "✔") || strings.Contains(screen, "\x1b[32m") {
			t.Errorf("%v: want ✔ without colour:\n%q", cmd, screen)
		}
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
