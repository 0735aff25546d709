package executor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestWriteOutputFiles: what emit leaves in its termination message reads
// back as the driver reads a wrapped main's.
func TestWriteOutputFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a"), "first\n", 0o644)
	write(t, filepath.Join(dir, "empty"), "", 0o644)
	write(t, filepath.Join(dir, "b"), "line 1\nline 2", 0o644)
	str := func(s string) *string { return &s }
	tests := []struct {
		name  string
		files []string
		want  []*string
		raw   string // the message, when one file is the message itself
	}{
		{name: "one file", files: []string{"a"}, raw: "first\n"},
		{name: "one missing", files: []string{"gone"}, raw: ""},
		{name: "several", files: []string{"a", "gone", "empty", "b"}, want: []*string{str("first\n"), nil, str(""), str("line 1\nline 2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, f := range tt.files {
				paths = append(paths, filepath.Join(dir, f))
			}
			dest := filepath.Join(t.TempDir(), "termination-log")
			if err := writeOutputFiles(dest, paths); err != nil {
				t.Fatal(err)
			}
			msg, err := os.ReadFile(dest)
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) == 1 {
				if diff := cmp.Diff(tt.raw, string(msg)); diff != "" {
					t.Errorf("message (-want +got):\n%s", diff)
				}
				return
			}
			if diff := cmp.Diff(tt.want, compile.DecodeOutputFiles(string(msg), len(paths))); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}
