//go:build unix

package executor

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestEmit(t *testing.T) {
	file := Record{Name: "f", Path: "/tmp/f", Files: []File{{Mode: 0o644, Data: []byte("hi\n")}}}
	failed := Record{Name: "e", Path: "/tmp/e", Error: "open /tmp/e: no such file or directory"}
	bad := Record{Name: "bad", Error: "kubectl-wf-executor could not read its record: malformed artifact record: file artifact bad has 0 files, not 1"}
	fill := func(t *testing.T, dir string) {
		if err := writeRecords(dir, []Record{file, failed}); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "bad.json"), `{"name":"bad","files":[]}`, 0o644)
		write(t, filepath.Join(dir, "notes.txt"), "not a record", 0o644)
		write(t, filepath.Join(dir, ".kubectl-wf-1.tmp"), "half written", 0o644)
	}
	// A volume the sidecar shares with the step: emit collects what lies
	// there itself, after wrap's records, in what they left of MaxBytes.
	volume := t.TempDir()
	write(t, filepath.Join(volume, "out"), "from a volume\n", 0o644)
	big := Record{Name: "big", Path: filepath.Join(volume, "big"), Files: []File{{Mode: 0o644, Data: bytes.Repeat([]byte("x"), MaxBytes-len("hi\n"))}}}
	onVolume := Record{Name: "vol", Path: filepath.Join(volume, "out"), Files: []File{{Mode: 0o644, Data: []byte("from a volume\n")}}}
	tooBig := Record{Name: "vol", Path: filepath.Join(volume, "out"), Error: "artifact vol is 14 bytes; kubectl-wf keeps a pod's output artifacts in a ConfigMap, " +
		"of at most 900 KiB (921600 bytes) in all, and the pod's artifacts before it take 921600 bytes"}
	collects := []string{"--artifact", "vol=" + onVolume.Path, "--artifact", "gone=" + filepath.Join(volume, "gone"), "--optional", "gone"}
	// A containerSet's output parameters' files, on that volume: emit
	// leaves them in its termination message, one missing.
	write(t, filepath.Join(volume, "param"), "42\n", 0o644)
	outputFiles := []string{"--output-file", filepath.Join(volume, "param"), "--output-file", filepath.Join(volume, "no-param")}
	tests := []struct {
		name       string
		setup      func(t *testing.T, dir string)
		args       []string
		sig        syscall.Signal
		wantStdout string
		// wantMessage is the termination message; "" when emit leaves none.
		wantMessage string
	}{
		{"SIGTERM", fill, nil, syscall.SIGTERM, logLine(t, bad) + logLine(t, failed) + logLine(t, file), ""},
		{"SIGINT", fill, nil, syscall.SIGINT, logLine(t, bad) + logLine(t, failed) + logLine(t, file), ""},
		{"empty folder", func(*testing.T, string) {}, nil, syscall.SIGTERM, "", ""},
		{"no folder", func(t *testing.T, dir string) { os.Remove(dir) }, nil, syscall.SIGTERM, "", ""},
		{"volume artifacts", fill, collects, syscall.SIGTERM, logLine(t, bad) + logLine(t, failed) + logLine(t, file) + logLine(t, onVolume), ""},
		{"volume artifacts alone", func(t *testing.T, dir string) { os.Remove(dir) }, collects, syscall.SIGTERM, logLine(t, onVolume), ""},
		{"volume artifacts after a full pod", func(t *testing.T, dir string) {
			if err := writeRecords(dir, []Record{file, big}); err != nil {
				t.Fatal(err)
			}
		}, collects, syscall.SIGTERM, logLine(t, big) + logLine(t, file) + logLine(t, tooBig), ""},
		{"output files", fill, outputFiles, syscall.SIGTERM, logLine(t, bad) + logLine(t, failed) + logLine(t, file), "3\n42\n-\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			message := filepath.Join(t.TempDir(), "termination-log")
			cmd := executor(t, append(append([]string{"emit-ready", "--message-file", message}, tt.args...), dir)...)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			startUntilReady(t, cmd, stderr)
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				t.Fatalf("emit ended before any signal: %v", err)
			case <-time.After(100 * time.Millisecond):
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			if code := exitCodeOf(t, <-exited); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
			if got := stdout.String(); got != tt.wantStdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, tt.wantStdout)
			}
			got, err := os.ReadFile(message)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			if string(got) != tt.wantMessage {
				t.Errorf("termination message %q, want %q", got, tt.wantMessage)
			}
		})
	}
}
