//go:build unix

package executor

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
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
		args func(src, dest string) []string
		// before fills dest before the first run.
		before func(t *testing.T, dest string)
		// runs is how many times seed runs: 1 unless given.
		runs       int
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
		// As the kubelet may run an init container again.
		name: "a second run replaces the first's copy",
		tree: func(t *testing.T, src string) {
			must(t, os.Chmod(src, 0o755))
			write(t, filepath.Join(src, "ro/f"), "read only", 0o400)
			must(t, os.Chmod(filepath.Join(src, "ro"), 0o555))
			write(t, filepath.Join(src, "x"), "x", 0o644)
			must(t, os.Link(filepath.Join(src, "x"), filepath.Join(src, "y")))
			must(t, os.Symlink("x", filepath.Join(src, "link")))
		},
		before: func(t *testing.T, dest string) {
			write(t, filepath.Join(dest, "link/sealed/f"), "in the way", 0o400)
			must(t, os.Chmod(filepath.Join(dest, "link/sealed"), 0o500))
			write(t, filepath.Join(dest, "ro"), "a file where a directory goes", 0o444)
		},
		runs: 2,
		want: []string{
			". drwxr-xr-x 2020-01-02T03:04:05Z",
			"link Lrwxrwxrwx -> x",
			"ro dr-xr-xr-x 2020-01-02T03:04:05Z",
			"ro/f -r-------- 2020-01-02T03:04:05Z read only",
			"x -rw-r--r-- 2020-01-02T03:04:05Z x (2 links)",
			"y -rw-r--r-- 2020-01-02T03:04:05Z x (2 links)",
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
			if tt.before != nil {
				tt.before(t, dest)
			}
			var stderr strings.Builder
			code := 0
			for range max(tt.runs, 1) {
				if code = Main(append([]string{"seed"}, args...), nil, io.Discard, &stderr); code != 0 {
					break
				}
			}
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

// TestSeedAsAnotherUser runs seed as nobody, as in a pod whose main runs
// as a user other than root: what nobody copies is nobody's, what nobody
// may not read is left out, and the emptyDir's own directory, root's,
// keeps its mode. A second run replaces its first's read-only copy.
func TestSeedAsAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to run seed as another user")
	}
	const nobody = 65534
	stamp := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	// Where nobody may go: t.TempDir's parents are root's alone.
	base, err := os.MkdirTemp("", "seed-*")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(base) })
	must(t, os.Chmod(base, 0o755))
	exe := filepath.Join(base, "executor")
	data, err := os.ReadFile(testBinary(t))
	must(t, err)
	must(t, os.WriteFile(exe, data, 0o755))

	src, dest := filepath.Join(base, "src"), filepath.Join(base, "dest")
	must(t, os.Mkdir(src, 0o755))
	must(t, os.Chmod(src, 0o755))
	write(t, filepath.Join(src, "mine"), "m", 0o644)
	must(t, os.Chown(filepath.Join(src, "mine"), nobody, nobody))
	write(t, filepath.Join(src, "roots"), "r", 0o644)
	write(t, filepath.Join(src, "secret"), "s", 0o600)
	write(t, filepath.Join(src, "sealed/f"), "f", 0o644)
	must(t, os.Chmod(filepath.Join(src, "sealed"), 0o700))
	write(t, filepath.Join(src, "ro/f"), "f", 0o444)
	must(t, os.Chmod(filepath.Join(src, "ro"), 0o555))
	stampTree(t, src, stamp)
	must(t, os.Mkdir(dest, 0o777))
	must(t, os.Chmod(dest, 0o777))

	var stderr strings.Builder
	for range 2 {
		cmd := exec.Command(exe, "seed", src, dest)
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("seed: %v; stderr:\n%s", err, stderr.String())
		}
	}
	want := []string{
		". drwxrwxrwx",
		"mine -rw-r--r-- 2020-01-02T03:04:05Z m owner 65534:65534",
		"ro dr-xr-xr-x owner 65534:65534",
		"ro/f -r--r--r-- 2020-01-02T03:04:05Z f owner 65534:65534",
		"roots -rw-r--r-- 2020-01-02T03:04:05Z r owner 65534:65534",
		"sealed drwx------ owner 65534:65534",
	}
	if diff := cmp.Diff(want, listing(t, dest, false)); diff != "" {
		t.Errorf("dest (-want +got):\n%s", diff)
	}
	for _, left := range []string{"secret: left out: ", "sealed: left out: "} {
		if !strings.Contains(stderr.String(), left) {
			t.Errorf("stderr lacks %q:\n%s", left, stderr.String())
		}
	}
}
