// Package executor saves a pod's output artifacts. The executor binary
// (cmd/kubectl-wf-executor) runs a step's command (wrap), packs each output
// artifact into a Record once the command has exited, and a native sidecar
// prints the records to its log when the kubelet stops it (emit); the driver
// reads that log (ParseLog) and keeps the artifacts in a ConfigMap.
package executor

import (
	"errors"
	"fmt"
	"io/fs"
)

// Record is one output artifact as saved by the executor.
type Record struct {
	Name  string `json:"name"`
	Path  string `json:"path"`          // where it was in the container
	Dir   bool   `json:"dir,omitempty"` // a directory (Files relative to it)
	Files []File `json:"files,omitempty"`
	Error string `json:"error,omitempty"` // why it could not be saved; then no Files
}

// File is one regular file of an artifact.
type File struct {
	Path string `json:"path"` // slash-separated, relative to the artifact's root; "" for a file artifact
	Mode uint32 `json:"mode"` // permission bits only (0o777 mask)
	Data []byte `json:"data"`
}

// LogPrefix starts each record line in the sidecar's log:
// LogPrefix + JSON + "\n".
const LogPrefix = "kubectl-wf-artifact "

// MaxBytes bounds the total data of one pod's artifacts: they go in one
// ConfigMap, of at most 1 MiB, beside the driver's own keys.
const MaxBytes = 900 * 1024

// validate reports what makes r a record the executor never writes: the
// driver unpacks Files into other pods, so a path must stay inside the
// artifact's root.
func (r Record) validate() error {
	if r.Name == "" {
		return errors.New("record has no name")
	}
	name := brief(r.Name)
	if r.Error != "" {
		if len(r.Files) > 0 {
			return fmt.Errorf("artifact %s has an error and files", name)
		}
		return nil
	}
	if !r.Dir && len(r.Files) != 1 {
		return fmt.Errorf("file artifact %s has %d files, not 1", name, len(r.Files))
	}
	seen := make(map[string]bool, len(r.Files))
	for _, f := range r.Files {
		switch path := brief(f.Path); {
		case f.Mode&^0o777 != 0:
			return fmt.Errorf("artifact %s: file %q has mode %#o, beyond the permission bits", name, path, f.Mode)
		case !r.Dir && f.Path != "":
			return fmt.Errorf("file artifact %s has a file path %q, not \"\"", name, path)
		case r.Dir && (f.Path == "." || !fs.ValidPath(f.Path)):
			return fmt.Errorf("directory artifact %s has an invalid file path %q", name, path)
		case seen[f.Path]:
			return fmt.Errorf("artifact %s has file %q twice", name, path)
		}
		seen[f.Path] = true
	}
	return nil
}

// brief shortens a name or path from a log for an error message.
func brief(name string) string {
	if len(name) > 64 {
		return name[:64] + "..."
	}
	return name
}
