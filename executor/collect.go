package executor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Collect packs the artifact at path: a regular file into one File, a
// directory into its regular files (symlinks to regular files followed,
// other kinds skipped), sorted by path. ok is false when the artifact is
// optional and missing: then there is no record. Any other failure is the
// record's Error. The artifact alone may take MaxBytes.
func Collect(name, path string, optional bool) (rec Record, ok bool) {
	return collect(name, path, optional, 0)
}

// collectAll collects the artifacts of one pod, in order, each in what the
// ones before it, and used bytes saved earlier, left of MaxBytes. Optional
// missing artifacts have no record.
func collectAll(artifacts []artifact, used int) []Record {
	var recs []Record
	for _, a := range artifacts {
		rec, ok := collect(a.name, a.path, a.optional, used)
		if !ok {
			continue
		}
		used += rec.size()
		recs = append(recs, rec)
	}
	return recs
}

// artifact is an output artifact to collect.
type artifact struct {
	name, path string
	optional   bool
}

func (r Record) size() int {
	n := 0
	for _, f := range r.Files {
		n += len(f.Data)
	}
	return n
}

// collect is Collect where the pod's earlier artifacts took used bytes.
func collect(name, path string, optional bool, used int) (Record, bool) {
	rec := Record{Name: name, Path: path}
	files, err := readArtifact(path, &rec.Dir, MaxBytes-used)
	var big *tooBigError
	switch {
	case optional && errors.Is(err, fs.ErrNotExist):
		return Record{}, false
	case errors.As(err, &big):
		rec.Error = big.message(name, used)
	case err != nil:
		rec.Error = err.Error()
	default:
		rec.Files = files
	}
	return rec, true
}

// tooBigError is an artifact whose files hold more than the bytes left.
type tooBigError struct {
	size  int64
	grown bool // it grew past the bytes left while it was read
}

func (e *tooBigError) Error() string { return fmt.Sprintf("%d bytes, too many", e.size) }

func (e *tooBigError) message(name string, used int) string {
	size := fmt.Sprintf("is %d bytes", e.size)
	if e.grown {
		size = fmt.Sprintf("grew past %d bytes while it was read", e.size)
	}
	msg := fmt.Sprintf("artifact %s %s; kubectl-wf keeps a pod's output artifacts in a ConfigMap, of at most 900 KiB (%d bytes) in all",
		name, size, MaxBytes)
	if used > 0 {
		msg += fmt.Sprintf(", and the pod's artifacts before it take %d bytes", used)
	}
	return msg
}

// readArtifact reads the file or directory at root, in at most left bytes
// of data, and sets dir when it is a directory.
func readArtifact(root string, dir *bool, left int) ([]File, error) {
	f, err := open(root)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode().IsRegular():
		if fi.Size() > int64(left) {
			return nil, &tooBigError{size: fi.Size()}
		}
		data, err := readAtMost(f, left)
		if err != nil {
			return nil, err
		}
		return []File{{Path: "", Mode: uint32(fi.Mode().Perm()), Data: data}}, nil
	case fi.IsDir():
		*dir = true
		return readDir(root, left)
	default:
		return nil, fmt.Errorf("%s is neither a regular file nor a directory (%s)", root, fi.Mode().Type())
	}
}

// open opens a file without blocking on a named pipe that has no writer.
func open(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// readAtMost reads f whole, failing when it holds more than left bytes.
func readAtMost(f *os.File, left int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, int64(left)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > left {
		return nil, &tooBigError{size: int64(left), grown: true}
	}
	return data, nil
}

// found is a regular file of a directory artifact.
type found struct {
	rel, full string
	size      int64
}

// readDir reads every regular file below root in at most budget bytes,
// sized first so that an artifact over it is never read.
func readDir(root string, budget int) ([]File, error) {
	var list []found
	if err := walk(root, "", &list); err != nil {
		return nil, err
	}
	var total int64
	for _, f := range list {
		total += f.size
	}
	if total > int64(budget) {
		return nil, &tooBigError{size: total}
	}
	slices.SortFunc(list, func(a, b found) int { return strings.Compare(a.rel, b.rel) })
	files := make([]File, 0, len(list))
	used := 0
	for _, fd := range list {
		f, err := open(fd.full)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		var data []byte
		if err == nil {
			data, err = readAtMost(f, budget-used)
		}
		f.Close()
		var big *tooBigError
		if errors.As(err, &big) {
			big.size = int64(budget) // the whole artifact's, not this file's
		}
		if err != nil {
			return nil, err
		}
		used += len(data)
		files = append(files, File{Path: fd.rel, Mode: uint32(fi.Mode().Perm()), Data: data})
	}
	return files, nil
}

// walk lists the regular files below dir (rel is dir's slash path from the
// artifact's root). Symlinks count as what they point to when that is a
// regular file; symlinks to directories are not followed (no loops), and
// broken ones are skipped.
func walk(dir, rel string, list *[]found) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		full, r := filepath.Join(dir, e.Name()), path.Join(rel, e.Name())
		if e.IsDir() {
			if err := walk(full, r, list); err != nil {
				return err
			}
			continue
		}
		fi, err := os.Stat(full)
		if err != nil {
			if e.Type()&fs.ModeSymlink != 0 {
				continue // broken or looping link
			}
			return err
		}
		if fi.Mode().IsRegular() {
			*list = append(*list, found{rel: r, full: full, size: fi.Size()})
		}
	}
	return nil
}
