package executor

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// render copies src to dest (mode 0755, as a script's source is
// mounted), with each "$(VAR)" replaced by the value of the environment
// variable VAR. It gives a script's source what only exists once the pod
// does, such as the pod's own name, which the Job controller picks.
func render(src, dest, variable string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(data), "$("+variable+")", os.Getenv(variable))
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeAtomic(dir, dest, 0o755, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	})
}
