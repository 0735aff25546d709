package executor

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strconv"
)

// writeOutputFiles leaves the output parameters' files in dest as the
// driver reads a termination message (compile.DecodeOutputFiles): one
// file is the message itself; several are each its byte count on a line
// and its bytes, or "-" on a line when there is none.
func writeOutputFiles(dest string, paths []string) error {
	var msg bytes.Buffer
	for _, p := range paths {
		data, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if len(paths) > 1 {
				msg.WriteString("-\n")
			}
			continue
		case err != nil:
			return err
		case len(paths) > 1:
			msg.WriteString(strconv.Itoa(len(data)) + "\n")
		}
		msg.Write(data)
	}
	return os.WriteFile(dest, msg.Bytes(), 0o644)
}
