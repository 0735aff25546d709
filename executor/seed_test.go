//go:build unix

package executor

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSeed(t *testing.T) {
	stamp := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		// tree builds the source under src; nil leaves src missing.
		tree func(t *testing.T, src string)
		// args are seed's, given src and dest.
		args       func(src, dest string) []string
		code       int
		want       []string // the trees under each dest (listing)
		wantStderr string
	}{{
		name: "files, directories, links and modes",
		tree: func(t *testing.T, src string) {
			must(t, os.Chmod(src, 0o755))
			write(t, filepath.Join(src, "a.txt"), "a", 0o644)
			write(t, filepath.Join(src, "sub/run.sh"), "#!/bin/sh", 0o755)
			write(t, filepath.Join(src, "ro/f"), "read only", 0o400)
			must(t, os.Chmod(filepath.Join(src, "ro"), 0o555))
			must(t, os.Mkdir(filepath.Join(src, "shared"), 0o700))
			must(t, os.Chmod(filepath.Join(src, "shared"), 0o777|fs.ModeSticky|fs.ModeSetgid))
			must(t, os.Mkdir(filepath.Join(src, "empty"), 0o750))
			must(t, os.Symlink("a.txt", filepath.Join(src, "link")))
			must(t, os.Symlink("/nowhere", filepath.Join(src, "dangling")))
		},
		want: []string{
			". drwxr-xr-x 2020-01-02T03:04:05Z",
			"a.txt -rw-r--r-- 2020-01-02T03:04:05Z a",
			"dangling Lrwxrwxrwx -> /nowhere",
			"empty drwxr-x--- 2020-01-02T03:04:05Z",
			"link Lrwxrwxrwx -> a.txt",
			"ro dr-xr-xr-x 2020-01-02T03:04:05Z",
			"ro/f -r-------- 2020-01-02T03:04:05Z read only",
			"shared dgtrwxrwxrwx 2020-01-02T03:04:05Z",
			"sub drwxr-xr-x 2020-01-02T03:04:05Z",
			"sub/run.sh -rwxr-xr-x 2020-01-02T03:04:05Z #!/bin/sh",
		},
	}, {
		name: "hard links stay one file",
		tree: func(t *testing.T, src string) {
			must(t, os.Chmod(src, 0o755))
			write(t, filepath.Join(src, "bin/tool"), "x", 0o755)
			must(t, os.Link(filepath.Join(src, "bin/tool"), filepath.Join(src, "bin/alias")))
		},
		want: []string{
			". drwxr-xr-x 2020-01-02T03:04:05Z",
			"bin drwxr-xr-x 2020-01-02T03:04:05Z",
			"bin/alias -rwxr-xr-x 2020-01-02T03:04:05Z x (2 links)",
			"bin/tool -rwxr-xr-x 2020-01-02T03:04:05Z x (2 links)",
		},
	}, {
		name: "owners kept, a link's own",
		tree: func(t *testing.T, src string) {
			must(t, os.Chmod(src, 0o777|fs.ModeSticky))
			write(t, filepath.Join(src, "setuid"), "s", 0o755)
			must(t, os.Symlink("setuid", filepath.Join(src, "link")))
			must(t, os.Lchown(filepath.Join(src, "setuid"), 1234, 5678))
			must(t, os.Chmod(filepath.Join(src, "setuid"), 0o755|fs.ModeSetuid))
			must(t, os.Lchown(filepath.Join(src, "link"), 42, 43))
		},
		want: []string{
			". dtrwxrwxrwx 2020-01-02T03:04:05Z",
			"link Lrwxrwxrwx -> setuid owner 42:43",
			"setuid urwxr-xr-x 2020-01-02T03:04:05Z s owner 1234:5678",
		},
	}, {
		name: "a missing source is nothing to copy",
		want: []string{". drwxrwxrwx"},
	}, {
		name: "a source that is a file is an error",
		tree: func(t *testing.T, src string) {
			must(t, os.Remove(src))
			must(t, os.WriteFile(src, nil, 0o644))
		},
		code:       1,
		want:       []string{". drwxrwxrwx"},
		wantStderr: "not a directory",
	}, {
		name: "a fifo is left out",
		tree: func(t *testing.T, src string) {
			must(t, os.Chmod(src, 0o755))
			must(t, syscall.Mkfifo(filepath.Join(src, "pipe"), 0o644))
			write(t, filepath.Join(src, "kept"), "k", 0o644)
		},
		want: []string{
			". drwxr-xr-x 2020-01-02T03:04:05Z",
			"kept -rw-r--r-- 2020-01-02T03:04:05Z k",
		},
		wantStderr: "pipe: left out: not a file, directory or link",
	}, {
		name: "a destination inside the source is not copied into itself",
		tree: func(t *testing.T, src string) {
			must(t, os.Chmod(src, 0o755))
			write(t, filepath.Join(src, "f"), "f", 0o644)
		},
		args: func(src, _ string) []string { return []string{src, filepath.Join(src, "scratch")} },
		want: []string{
			". drwxr-xr-x 2020-01-02T03:04:05Z",
			"f -rw-r--r-- 2020-01-02T03:04:05Z f",
		},
	}, {
		name: "each pair",
		tree: func(t *testing.T, src string) {
			must(t, os.Chmod(src, 0o755))
			write(t, filepath.Join(src, "one/f"), "1", 0o644)
			write(t, filepath.Join(src, "two/g"), "2", 0o600)
		},
		args: func(src, dest string) []string {
			return []string{filepath.Join(src, "one"), dest, filepath.Join(src, "two"), dest + "2"}
		},
		want: []string{
			". drwxr-xr-x 2020-01-02T03:04:05Z",
			"f -rw-r--r-- 2020-01-02T03:04:05Z 1",
			". drwxr-xr-x 2020-01-02T03:04:05Z",
			"g -rw------- 2020-01-02T03:04:05Z 2",
		},
	}, {
		name: "pairs only",
		args: func(src, _ string) []string { return []string{src} },
		code: 2,
		want: []string{". drwxrwxrwx"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dest := filepath.Join(dir, "src"), filepath.Join(dir, "dest")
			// dest is the emptyDir: there, writable by all.
			must(t, os.Mkdir(dest, 0o777))
			must(t, os.Chmod(dest, 0o777))
			if tt.tree != nil {
				must(t, os.Mkdir(src, 0o700))
				tt.tree(t, src)
				stampTree(t, src, stamp)
			}
			args := []string{src, dest}
			if tt.args != nil {
				args = tt.args(src, dest)
			}
			var stderr strings.Builder
			code := Main(append([]string{"seed"}, args...), nil, io.Discard, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) || (tt.wantStderr == "" && tt.code == 0 && stderr.Len() > 0) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.wantStderr)
			}
			var got []string
			for i := 1; i < len(args); i += 2 {
				got = append(got, listing(t, args[i], tt.tree != nil && tt.code == 0)...)
			}
			if len(args) < 2 {
				got = listing(t, dest, false)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("dest (-want +got):\n%s", diff)
			}
		})
	}
}

// listing describes the tree under root, one line per entry: its path,
// mode, time (when timed), content or link target, links and an owner
// other than root.
func listing(t *testing.T, root string, timed bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		line := rel + " " + info.Mode().String()
		switch st := info.Sys().(*syscall.Stat_t); {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		case info.IsDir():
			if timed {
				line += " " + info.ModTime().UTC().Format(time.RFC3339)
			}
		default:
			data, _ := os.ReadFile(p)
			line += " " + info.ModTime().UTC().Format(time.RFC3339) + " " + string(data)
			if st.Nlink > 1 {
				line += fmt.Sprintf(" (%d links)", st.Nlink)
			}
		}
		if st := info.Sys().(*syscall.Stat_t); st.Uid != 0 || st.Gid != 0 {
			line += fmt.Sprintf(" owner %d:%d", st.Uid, st.Gid)
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stampTree sets every file's and directory's modification time, the
// deepest first, so that making a child does not change its parent's.
func stampTree(t *testing.T, root string, stamp time.Time) {
	t.Helper()
	var paths []string
	must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink == 0 && d.Type()&fs.ModeNamedPipe == 0 {
			paths = append(paths, p)
		}
		return err
	}))
	for i := len(paths) - 1; i >= 0; i-- {
		must(t, os.Chtimes(paths[i], stamp, stamp))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
