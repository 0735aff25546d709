//go:build unix

package executor

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name       string
		args       string // after "wrap"; T is a fresh folder, OUT is T/out
		setup      func(t *testing.T, dir string)
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string // a part of stderr
		wantRecs   map[string]Record
	}{{
		name: "exit 0 with file and directory artifacts",
		args: "--out OUT --artifact f=T/f --artifact d=T/d --artifact gone=T/gone --optional gone -- " +
			"sh -c 'echo hi > T/f; chmod 600 T/f; mkdir -p T/d/s; printf x > T/d/s/y; chmod 644 T/d/s/y; echo done'",
		wantStdout: "done\n",
		wantRecs: map[string]Record{
			"f.json": {Name: "f", Path: "T/f", Files: []File{{Mode: 0o600, Data: []byte("hi\n")}}},
			"d.json": {Name: "d", Path: "T/d", Dir: true, Files: []File{{Path: "s/y", Mode: 0o644, Data: []byte("x")}}},
		},
	}, {
		name:       "exit 3, output passed through, artifact missing",
		args:       "--out OUT --artifact a=T/a -- sh -c 'echo out; echo err >&2; exit 3'",
		wantCode:   3,
		wantStdout: "out\n",
		wantStderr: "err\n",
		wantRecs:   map[string]Record{"a.json": {Name: "a", Path: "T/a", Error: "open T/a: no such file or directory"}},
	}, {
		name:     "killed by a signal: 128 plus its number",
		args:     "--out OUT --artifact a=T/a -- sh -c 'echo x > T/a; chmod 644 T/a; kill -KILL $$'",
		wantCode: 128 + 9,
		wantRecs: map[string]Record{"a.json": {Name: "a", Path: "T/a", Files: []File{{Mode: 0o644, Data: []byte("x\n")}}}},
	}, {
		name:       "stdin passed through",
		args:       "--out OUT -- cat",
		stdin:      "in\n",
		wantStdout: "in\n",
	}, {
		name:       "command not found: 127, records still written",
		args:       "--out OUT --artifact a=T/a -- kubectl-wf-no-such-command",
		wantCode:   127,
		wantStderr: `exec: "kubectl-wf-no-such-command": executable file not found in $PATH`,
		wantRecs:   map[string]Record{"a.json": {Name: "a", Path: "T/a", Error: "open T/a: no such file or directory"}},
	}, {
		name:       "command not executable: 126",
		args:       "--out OUT --artifact a=T/a -- T/script",
		setup:      func(t *testing.T, dir string) { write(t, filepath.Join(dir, "script"), "#!/bin/sh\n", 0o644) },
		wantCode:   126,
		wantStderr: "permission denied",
		wantRecs:   map[string]Record{"a.json": {Name: "a", Path: "T/a", Error: "open T/a: no such file or directory"}},
	}, {
		name:       "usage error: 2, nothing run",
		args:       "--artifact a=T/a -- sh -c 'echo ran'",
		wantCode:   2,
		wantStderr: "--out is required",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			expand := strings.NewReplacer("OUT", filepath.Join(dir, "out"), "T/", dir+"/").Replace
			cmd := executor(t, append([]string{"wrap"}, splitArgs(expand(tt.args))...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(tt.stdin), &stdout, &stderr
			code := exitCodeOf(t, cmd.Run())
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if got := stdout.String(); got != tt.wantStdout {
				t.Errorf("stdout %q, want %q", got, tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want it to hold %q", stderr.String(), tt.wantStderr)
			}
			want := map[string]Record{}
			for file, rec := range tt.wantRecs {
				rec.Path, rec.Error = expand(rec.Path), expand(rec.Error)
				want[file] = rec
			}
			if diff := cmp.Diff(want, readRecords(t, filepath.Join(dir, "out")), recordsEqual); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

// splitArgs splits a command line on spaces, keeping 'quoted' parts whole.
func splitArgs(s string) []string {
	var args []string
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if rest, ok := strings.CutPrefix(s, "'"); ok {
			quoted, after, _ := strings.Cut(rest, "'")
			args, s = append(args, quoted), after
			continue
		}
		word, after, _ := strings.Cut(s, " ")
		args, s = append(args, word), after
	}
	return args
}

// TestWrapForwardsSignals: each signal the container gets reaches the
// command, whose exit code wrap returns after writing the records.
func TestWrapForwardsSignals(t *testing.T) {
	for _, sig := range forwardedSignals {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd := executor(t, "wrap", "--out", dir, "--artifact", "a="+filepath.Join(dir, "a"), "--",
				testBinary(t), "child", "wait")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			rest := startUntilReady(t, cmd, stdout)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(rest)
			if code := exitCodeOf(t, cmd.Wait()); code != 7 {
				t.Errorf("exit code %d, want the command's 7", code)
			}
			if got, want := string(out), "got "+sig.String()+"\n"; got != want {
				t.Errorf("the command printed %q, want %q", got, want)
			}
			if _, ok := readRecords(t, dir)["a.json"]; !ok {
				t.Errorf("no record a.json")
			}
		})
	}
}

// TestWrapSignalEndsCommand: a forwarded signal the command does not catch
// ends it, and wrap exits as a shell reports that: 128 + the signal.
func TestWrapSignalEndsCommand(t *testing.T) {
	dir := t.TempDir()
	cmd := executor(t, "wrap", "--out", dir, "--", testBinary(t), "child", "hang")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	rest := startUntilReady(t, cmd, stdout)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, rest)
	if code := exitCodeOf(t, cmd.Wait()); code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit code %d, want %d", code, 128+int(syscall.SIGTERM))
	}
}

func TestMainUsageErrors(t *testing.T) {
	tests := []struct {
		args       []string
		wantStderr string
	}{
		{nil, "usage:"},
		{[]string{"bogus"}, "usage:"},
		{[]string{"install"}, "usage:"},
		{[]string{"install", "a", "b"}, "usage:"},
		{[]string{"emit"}, "usage:"},
		{[]string{"emit", "a", "b"}, "emit takes one folder"},
		{[]string{"emit", "--artifact", "a", "d"}, `"a" is not NAME=PATH`},
		{[]string{"emit", "--optional", "b", "d"}, "--optional b names no --artifact"},
		{[]string{"render", "a", "b"}, "usage:"},
		{[]string{"noop", "a"}, "usage:"},
		{[]string{"wrap", "--out", "d"}, "no command to run"},
		{[]string{"wrap", "--out", "d", "--artifact", "a", "--", "true"}, `"a" is not NAME=PATH`},
		{[]string{"wrap", "--out", "d", "--artifact", "a=", "--", "true"}, `"a=" is not NAME=PATH`},
		{[]string{"wrap", "--out", "d", "--artifact", "../a=/x", "--", "true"}, `artifact name "../a" cannot name a file`},
		{[]string{"wrap", "--out", "d", "--artifact", "a=/x", "--artifact", "a=/y", "--", "true"}, "artifact a is given twice"},
		{[]string{"wrap", "--out", "d", "--optional", "b", "--", "true"}, "--optional b names no --artifact"},
		{[]string{"wrap", "--bogus", "--", "true"}, "flag provided but not defined: -bogus"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Main(tt.args, strings.NewReader(""), &stdout, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want it to hold %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestInstall(t *testing.T) {
	self, err := os.ReadFile(testBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "volume", "bin", "kubectl-wf-executor")
	for range 2 { // the second time over the first copy
		var stderr bytes.Buffer
		if code := Main([]string{"install", dest}, nil, io.Discard, &stderr); code != 0 {
			t.Fatalf("install: exit code %d: %s", code, stderr.String())
		}
		got, err := os.ReadFile(dest)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, self) {
			t.Errorf("the installed file (%d bytes) is not the executable (%d bytes)", len(got), len(self))
		}
		fi, err := os.Stat(dest)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o755 {
			t.Errorf("mode %v, want -rwxr-xr-x", fi.Mode())
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(dest)); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only the executable", len(entries))
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, source, want string
	}{
		{"each reference", "echo $(KUBECTL_WF_TEST_VAR) and $(KUBECTL_WF_TEST_VAR)\n", "echo pod-a1b2c and pod-a1b2c\n"},
		{"other references stay", "echo $(date) $(KUBECTL_WF_TEST_VARS) $KUBECTL_WF_TEST_VAR\n", "echo $(date) $(KUBECTL_WF_TEST_VARS) $KUBECTL_WF_TEST_VAR\n"},
		{"empty", "", ""},
	}
	t.Setenv("KUBECTL_WF_TEST_VAR", "pod-a1b2c")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dest := filepath.Join(dir, "src"), filepath.Join(dir, "out", "script")
			write(t, src, tt.source, 0o644)
			var stderr bytes.Buffer
			if code := Main([]string{"render", src, dest, "KUBECTL_WF_TEST_VAR"}, nil, io.Discard, &stderr); code != 0 {
				t.Fatalf("render: exit code %d: %s", code, stderr.String())
			}
			got, err := os.ReadFile(dest)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("rendered (-want +got):\n%s", diff)
			}
			if fi, err := os.Stat(dest); err != nil || fi.Mode() != 0o755 {
				t.Errorf("mode %v (%v), want -rwxr-xr-x", fi.Mode(), err)
			}
		})
	}
	var stderr bytes.Buffer
	if code := Main([]string{"render", filepath.Join(t.TempDir(), "missing"), filepath.Join(t.TempDir(), "d"), "V"}, nil, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "no such file") {
		t.Errorf("render of a missing source: exit code %d, stderr %q; want 1 and the error", code, stderr.String())
	}
}

func TestNoop(t *testing.T) {
	if code := Main([]string{"noop"}, nil, io.Discard, io.Discard); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
