package executor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// seed copies the contents of directory src into dest, for each pair
// given: a directory of the step's image that kubectl-wf mounts an
// emptyDir over (so that the artifacts sidecar can read what the step
// leaves there), filled first with what the image has there. It keeps
// files, directories, symbolic links, hard links, permission bits and
// modification times, and ownership where the user may set it. A missing
// src is an empty directory: nothing to copy. What the user may not read
// is left out, with a warning, as the step's user, the same, could not
// read it either. Directories that are mount points (another device) are
// left out: the kubelet mounts them in the step's container too. It may
// run again over its own copy, as the kubelet may run an init container
// again: what is there is replaced.
func seed(pairs []string, stderr io.Writer) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := seedDir(pairs[i], pairs[i+1], stderr); err != nil {
			return err
		}
	}
	return nil
}

func seedDir(src, dest string, stderr io.Writer) error {
	info, err := os.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.IsDir():
		return fmt.Errorf("seed %s: not a directory", src)
	}
	dest = filepath.Clean(dest)
	if err := os.MkdirAll(dest, 0o700); err != nil {
		return err
	}
	c := &copier{stderr: stderr, root: fileIDOf(info), dest: dest, linked: map[fileID]string{}}
	if err := c.children(src, dest); err != nil {
		return err
	}
	// The emptyDir's own directory belongs to the kubelet: a user other
	// than root may not change it.
	return c.keepAttributes(dest, info, false)
}

// copier copies one directory tree.
type copier struct {
	stderr io.Writer
	root   fileID // src's: its device tells mount points apart
	dest   string
	linked map[fileID]string // a file with hard links: its first copy
}

func (c *copier) children(src, dest string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return c.unreadable(src, err)
	}
	for _, e := range entries {
		if err := c.entry(filepath.Join(src, e.Name()), filepath.Join(dest, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) entry(src, dest string) error {
	info, err := os.Lstat(src)
	if err != nil {
		return c.unreadable(src, err)
	}
	id := fileIDOf(info)
	if info.IsDir() && (id.dev != c.root.dev || src == c.dest) {
		return nil // a mount point
	}
	if err := replaceable(dest, info.IsDir()); err != nil {
		return err
	}
	switch mode := info.Mode(); {
	case mode.IsDir():
		if err := os.Mkdir(dest, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := c.children(src, dest); err != nil {
			return err
		}
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, dest); err != nil {
			return err
		}
		return c.keepOwner(dest, info)
	case mode.IsRegular():
		if first, ok := c.linked[id]; ok && id.links > 1 {
			return os.Link(first, dest)
		}
		switch copied, err := copyFile(src, dest); {
		case !copied:
			return c.unreadable(src, err)
		case err != nil:
			return err
		}
		if id.links > 1 {
			c.linked[id] = dest
		}
	default:
		fmt.Fprintf(c.stderr, "kubectl-wf-executor seed: %s: left out: not a file, directory or link\n", src)
		return nil
	}
	return c.keepAttributes(dest, info, true)
}

// replaceable clears the way for a copy at dest, made before: a directory
// made writable to stay one, anything else removed.
func replaceable(dest string, dir bool) error {
	info, err := os.Lstat(dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case dir && info.IsDir():
		return os.Chmod(dest, 0o700)
	}
	if info.IsDir() {
		if err := makeWritable(dest); err != nil {
			return err
		}
	}
	return os.RemoveAll(dest)
}

// makeWritable lets the user remove what is under dir.
func makeWritable(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, 0o700)
		}
		return err
	})
}

// copyFile copies a regular file's bytes; copied is false, with the
// error, when src cannot be opened.
func copyFile(src, dest string) (copied bool, err error) {
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return true, err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return true, err
}

// unreadable warns of what the user may not read and leaves it out; any
// other error stops the copy.
func (c *copier) unreadable(src string, err error) error {
	if err == nil || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	fmt.Fprintf(c.stderr, "kubectl-wf-executor seed: %s: left out: %v\n", src, err)
	return nil
}

// keepAttributes gives dest src's owner, mode (with setuid, setgid and
// sticky) and modification time; the mode after the owner, as a change
// of owner clears setuid. must says whether failing to set the mode is
// an error.
func (c *copier) keepAttributes(dest string, src fs.FileInfo, must bool) error {
	if err := c.keepOwner(dest, src); err != nil {
		return err
	}
	mode := src.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	if err := os.Chmod(dest, mode); err != nil && (must || !errors.Is(err, fs.ErrPermission)) {
		return err
	}
	if err := os.Chtimes(dest, src.ModTime(), src.ModTime()); err != nil && (must || !errors.Is(err, fs.ErrPermission)) {
		return err
	}
	return nil
}

// keepOwner gives dest (not following a link) src's owner, where the
// user may: only root may give a file away.
func (c *copier) keepOwner(dest string, src fs.FileInfo) error {
	uid, gid, ok := ownerOf(src)
	if !ok {
		return nil
	}
	if err := os.Lchown(dest, uid, gid); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}
