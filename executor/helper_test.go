//go:build unix

package executor

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"testing"
	"time"
)

// helperEnv makes the test binary act as kubectl-wf-executor, so that the
// tests run it as a process of its own: signals and exit codes are a
// process's.
const helperEnv = "KUBECTL_WF_EXECUTOR_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// helperMain is Main, plus "child MODE" (a command for wrap to run; the
// environment passes helperEnv on) and "emit-ready ARGS" (emit, which
// says "ready" on stderr once it catches the signals).
func helperMain(args []string) int {
	switch {
	case len(args) == 2 && args[0] == "child":
		return child(args[1])
	case len(args) >= 2 && args[0] == "emit-ready":
		opts, err := parseEmit(args[1:])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		return emit(opts, os.Stdout, os.Stderr, func() { fmt.Fprintln(os.Stderr, "ready") })
	default:
		return Main(args, os.Stdin, os.Stdout, os.Stderr)
	}
}

// child "wait" catches the signals wrap forwards, says ready, prints the
// first one it gets and exits 7; "hang" says ready and sleeps, catching
// nothing, so that a signal ends it.
func child(mode string) int {
	switch mode {
	case "wait":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, forwardedSignals...)
		fmt.Println("ready")
		select {
		case sig := <-sigs:
			fmt.Println("got", sig)
			return 7
		case <-time.After(helperTimeout):
			return 98
		}
	case "hang":
		fmt.Println("ready")
		time.Sleep(helperTimeout)
		return 0
	}
	return 99
}

// testBinary is the path of this test binary, to run as the executor.
func testBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return self
}

// helperTimeout ends a helper that waits for a signal that never comes,
// so that a broken forwarder fails its test instead of hanging it.
const helperTimeout = 20 * time.Second

// executor is the test binary acting as kubectl-wf-executor with args.
func executor(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*helperTimeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, testBinary(t), args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	return cmd
}

// startUntilReady starts cmd and reads the pipe (its stdout or stderr) up
// to the line "ready"; the rest of the pipe is returned to be read.
func startUntilReady(t *testing.T, cmd *exec.Cmd, pipe io.Reader) *bufio.Reader {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	br := bufio.NewReader(pipe)
	line, err := br.ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("the first line is %q (%v), want \"ready\"", line, err)
	}
	return br
}

// exitCode is how cmd ended: its exit code, or -1 for a signal.
func exitCodeOf(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	t.Fatalf("running the executor: %v", err)
	return 0
}

// readRecords reads the records wrap wrote in dir, by file name.
func readRecords(t *testing.T, dir string) map[string]Record {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string]Record{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			t.Errorf("unexpected file %s in the records' folder", e.Name())
			continue
		}
		rec, err := readRecord(dir + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		recs[e.Name()] = rec
	}
	return recs
}
