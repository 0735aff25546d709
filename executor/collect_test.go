//go:build unix

package executor

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// write creates file (and its folders) with data and mode.
func write(t *testing.T, file, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, mode); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, file string) {
	t.Helper()
	if err := syscall.Mkfifo(file, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCollect(t *testing.T) {
	big := string(bytes.Repeat([]byte("x"), MaxBytes))
	tests := []struct {
		name     string
		setup    func(t *testing.T, root string) // root is the artifact's path
		optional bool
		want     Record // Path is set to root
		wantOK   bool
	}{{
		name:   "file",
		setup:  func(t *testing.T, root string) { write(t, root, "hi\n", 0o640) },
		want:   Record{Name: "a", Files: []File{{Path: "", Mode: 0o640, Data: []byte("hi\n")}}},
		wantOK: true,
	}, {
		name:   "empty file",
		setup:  func(t *testing.T, root string) { write(t, root, "", 0o644) },
		want:   Record{Name: "a", Files: []File{{Path: "", Mode: 0o644, Data: []byte{}}}},
		wantOK: true,
	}, {
		name:   "mode keeps only the permission bits",
		setup:  func(t *testing.T, root string) { write(t, root, "x", 0o755|os.ModeSetuid|os.ModeSticky) },
		want:   Record{Name: "a", Files: []File{{Path: "", Mode: 0o755, Data: []byte("x")}}},
		wantOK: true,
	}, {
		name: "file through a symlink",
		setup: func(t *testing.T, root string) {
			write(t, root+".real", "real", 0o600)
			symlink(t, root+".real", root)
		},
		want:   Record{Name: "a", Files: []File{{Path: "", Mode: 0o600, Data: []byte("real")}}},
		wantOK: true,
	}, {
		name: "directory with nested files and symlinks",
		setup: func(t *testing.T, root string) {
			write(t, filepath.Join(root, "b.txt"), "b", 0o644)
			write(t, filepath.Join(root, "a", "x"), "ax", 0o600)
			write(t, filepath.Join(root, "a.txt"), "a", 0o755)
			write(t, filepath.Join(root, "sub", "deeper", "c"), "c", 0o444)
			write(t, root+".outside", "outside", 0o640)
			symlink(t, root+".outside", filepath.Join(root, "link"))              // to a regular file: kept
			symlink(t, "sub", filepath.Join(root, "dirlink"))                     // to a folder: not followed
			symlink(t, "nowhere", filepath.Join(root, "broken"))                  // skipped
			symlink(t, "loop", filepath.Join(root, "loop"))                       // skipped
			mkfifo(t, filepath.Join(root, "fifo"))                                // skipped
			if err := os.Mkdir(filepath.Join(root, "empty"), 0o755); err != nil { // no file
				t.Fatal(err)
			}
		},
		want: Record{Name: "a", Dir: true, Files: []File{
			{Path: "a.txt", Mode: 0o755, Data: []byte("a")},
			{Path: "a/x", Mode: 0o600, Data: []byte("ax")},
			{Path: "b.txt", Mode: 0o644, Data: []byte("b")},
			{Path: "link", Mode: 0o640, Data: []byte("outside")},
			{Path: "sub/deeper/c", Mode: 0o444, Data: []byte("c")},
		}},
		wantOK: true,
	}, {
		name: "empty directory",
		setup: func(t *testing.T, root string) {
			if err := os.Mkdir(root, 0o755); err != nil {
				t.Fatal(err)
			}
		},
		want:   Record{Name: "a", Dir: true},
		wantOK: true,
	}, {
		name:   "missing",
		setup:  func(*testing.T, string) {},
		want:   Record{Name: "a", Error: "open ROOT: no such file or directory"},
		wantOK: true,
	}, {
		name:     "optional and missing",
		setup:    func(*testing.T, string) {},
		optional: true,
		wantOK:   false,
	}, {
		name:     "optional and present",
		setup:    func(t *testing.T, root string) { write(t, root, "here", 0o644) },
		optional: true,
		want:     Record{Name: "a", Files: []File{{Path: "", Mode: 0o644, Data: []byte("here")}}},
		wantOK:   true,
	}, {
		name:   "neither file nor directory",
		setup:  func(t *testing.T, root string) { mkfifo(t, root) },
		want:   Record{Name: "a", Error: "ROOT is neither a regular file nor a directory (p---------)"},
		wantOK: true,
	}, {
		name:   "file of exactly the limit",
		setup:  func(t *testing.T, root string) { write(t, root, big, 0o644) },
		want:   Record{Name: "a", Files: []File{{Path: "", Mode: 0o644, Data: []byte(big)}}},
		wantOK: true,
	}, {
		name:  "file over the limit",
		setup: func(t *testing.T, root string) { write(t, root, big+"x", 0o644) },
		want: Record{Name: "a", Error: "artifact a is 921601 bytes; kubectl-wf keeps a pod's output artifacts " +
			"in a ConfigMap, of at most 900 KiB (921600 bytes) in all"},
		wantOK: true,
	}, {
		name: "directory over the limit",
		setup: func(t *testing.T, root string) {
			write(t, filepath.Join(root, "1"), big[:MaxBytes/2], 0o644)
			write(t, filepath.Join(root, "2"), big[:MaxBytes/2+1], 0o644)
		},
		want: Record{Name: "a", Dir: true, Error: "artifact a is 921601 bytes; kubectl-wf keeps a pod's output " +
			"artifacts in a ConfigMap, of at most 900 KiB (921600 bytes) in all"},
		wantOK: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "artifact")
			tt.setup(t, root)
			got, ok := Collect("a", root, tt.optional)
			if ok != tt.wantOK {
				t.Fatalf("Collect ok = %v, want %v", ok, tt.wantOK)
			}
			want := tt.want
			if ok {
				want.Path = root
				want.Error = strings.ReplaceAll(want.Error, "ROOT", root)
			}
			if diff := cmp.Diff(want, got, recordsEqual); diff != "" {
				t.Errorf("Collect (-want +got):\n%s", diff)
			}
			if ok {
				if err := got.validate(); err != nil {
					t.Errorf("the record does not validate: %v", err)
				}
			}
		})
	}
}

// TestCollectAllShareTheLimit: the pod's artifacts share MaxBytes, in order;
// one over the rest fails alone and takes nothing.
func TestCollectAllShareTheLimit(t *testing.T) {
	dir := t.TempDir()
	sizes := map[string]int{"first": 600 << 10, "second": 400 << 10, "third": 300 << 10}
	for name, n := range sizes {
		write(t, filepath.Join(dir, name), string(bytes.Repeat([]byte("x"), n)), 0o644)
	}
	recs := collectAll([]artifact{
		{name: "first", path: filepath.Join(dir, "first")},
		{name: "gone", path: filepath.Join(dir, "gone"), optional: true},
		{name: "second", path: filepath.Join(dir, "second")},
		{name: "third", path: filepath.Join(dir, "third")},
	}, 0)
	type summary struct {
		Name  string
		Bytes int
		Error string
	}
	var got []summary
	for _, r := range recs {
		got = append(got, summary{r.Name, r.size(), r.Error})
	}
	want := []summary{
		{"first", 600 << 10, ""},
		{"second", 0, "artifact second is 409600 bytes; kubectl-wf keeps a pod's output artifacts in a ConfigMap, " +
			"of at most 900 KiB (921600 bytes) in all, and the pod's artifacts before it take 614400 bytes"},
		{"third", 300 << 10, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("collectAll (-want +got):\n%s", diff)
	}
}

// TestCollectFileGrowingPastTheLimit: a file can hold more than its size
// said (/proc's files say 0); reading stops at the limit all the same.
func TestCollectFileGrowingPastTheLimit(t *testing.T) {
	const proc = "/proc/self/status"
	if _, err := os.Stat(proc); err != nil {
		t.Skip("no ", proc)
	}
	dir := filepath.Join(t.TempDir(), "d")
	write(t, filepath.Join(dir, "a"), "0123456789", 0o644)
	symlink(t, proc, filepath.Join(dir, "status"))
	tests := []struct {
		name, path string
		want       string
	}{
		{"file", proc, "artifact a grew past 16 bytes while it was read; kubectl-wf keeps a pod's output artifacts " +
			"in a ConfigMap, of at most 900 KiB (921600 bytes) in all, and the pod's artifacts before it take 921584 bytes"},
		{"directory", dir, "artifact a grew past 16 bytes while it was read; kubectl-wf keeps a pod's output artifacts " +
			"in a ConfigMap, of at most 900 KiB (921600 bytes) in all, and the pod's artifacts before it take 921584 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, _ := collect("a", tt.path, false, MaxBytes-16)
			if rec.Error != tt.want || len(rec.Files) > 0 {
				t.Errorf("Error %q with %d files, want %q and none", rec.Error, len(rec.Files), tt.want)
			}
		})
	}
}
