package compile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// TestCollectOutputsRunsTheCommand runs the wrapper with this machine's
// /bin/sh, as a container would: the command's exit code and output are
// kept, and each file (present, empty, missing, odd bytes) comes back.
func TestCollectOutputsRunsTheCommand(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "termination-log")
	a, b, missing, empty := filepath.Join(dir, "a"), filepath.Join(dir, "b b"), filepath.Join(dir, "none"), filepath.Join(dir, "empty")
	c := corev1.Container{Command: []string{"sh", "-c"}, Args: []string{`printf 'one\ntwo\n' > "$1"; printf -- '-\n3 $(x) "q"' > "$2"; : > "$3"; echo out; exit 7`, "script", a, b, empty}}
	withOutputFiles(&c, []string{a, b, missing, empty})
	cmd := exec.Command(c.Command[0], append(c.Command[1:], c.Args...)...)
	cmd.Args[2] = strings.ReplaceAll(cmd.Args[2], "/dev/termination-log", log)
	cmd.Env = append(os.Environ(), c.Env[0].Name+"="+c.Env[0].Value)
	out, err := cmd.Output()
	if code := cmd.ProcessState.ExitCode(); code != 7 {
		t.Fatalf("exit code %d (%v), want the command's 7", code, err)
	}
	if string(out) != "out\n" {
		t.Errorf("stdout %q, want the command's", out)
	}
	msg, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	got := DecodeOutputFiles(string(msg), 4)
	str := func(s string) *string { return &s }
	want := []*string{str("one\ntwo\n"), str("-\n3 $(x) \"q\""), nil, str("")}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
}

func TestDecodeOutputFiles(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name string
		msg  string
		n    int
		want []*string
	}{
		{"two", "2\nab3\ncde", 2, []*string{str("ab"), str("cde")}},
		{"missing first", "-\n1\nx", 2, []*string{nil, str("x")}},
		{"busybox pads the count", "  2\nab", 1, []*string{str("ab")}},
		{"cut off by the 4 KiB limit", "2\nab9\nabc", 2, []*string{str("ab"), nil}},
		{"empty message", "", 2, []*string{nil, nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, DecodeOutputFiles(tc.msg, tc.n)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func FuzzDecodeOutputFiles(f *testing.F) {
	f.Add("2\nab3\ncde", 2)
	f.Add("-\n-\n", 3)
	f.Fuzz(func(t *testing.T, msg string, n int) {
		if n < 0 || n > 64 {
			return
		}
		total := 0
		for _, c := range DecodeOutputFiles(msg, n) {
			if c != nil {
				total += len(*c)
			}
		}
		if total > len(msg) {
			t.Fatalf("decoded %d bytes from a %d-byte message", total, len(msg))
		}
	})
}
