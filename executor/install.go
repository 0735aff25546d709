package executor

import (
	"io"
	"os"
	"path/filepath"
)

// install copies the running executable to dest (mode 0755), so that an
// init container can hand it to the step's own image through a volume.
func install(dest string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	src, err := os.Open(self)
	if err != nil {
		return err
	}
	defer src.Close()
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeAtomic(dir, dest, 0o755, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

// writeAtomic writes dest through a temporary file in dir and a rename, so
// that no reader ever sees it half written.
func writeAtomic(dir, dest string, mode os.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(dir, ".kubectl-wf-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	err = write(tmp)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}
