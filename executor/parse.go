package executor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxLine bounds a record line: MaxBytes of data, base64'd (4/3), plus room
// for names, paths and modes. A longer line is no record the executor wrote.
const maxLine = MaxBytes/3*4 + 1<<20

// ParseLog reads a sidecar's log and returns its records in order. Lines
// without LogPrefix are ignored; a line with it that does not hold a valid
// record is an error.
func ParseLog(r io.Reader) ([]Record, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var recs []Record
	for n := 1; ; n++ {
		line, err := recordLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("log line %d: %w", n, err)
		}
		if line != nil {
			rec, perr := parseRecord(line)
			if perr != nil {
				return nil, fmt.Errorf("log line %d: %w", n, perr)
			}
			recs = append(recs, rec)
		}
		if err != nil {
			return recs, nil
		}
	}
}

// recordLine reads one line and returns what follows LogPrefix, or nil for
// a line without it (skipped without being kept whole in memory). The error
// is io.EOF after the last line.
func recordLine(br *bufio.Reader) ([]byte, error) {
	chunk, err := br.ReadSlice('\n')
	if len(chunk) == 0 && err != nil {
		return nil, err
	}
	// The buffer is far longer than the prefix, so the first chunk holds it
	// or the whole line.
	if !bytes.HasPrefix(chunk, []byte(LogPrefix)) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		return nil, eofOnly(err)
	}
	line := append([]byte(nil), chunk[len(LogPrefix):]...)
	for errors.Is(err, bufio.ErrBufferFull) && len(line) <= maxLine {
		chunk, err = br.ReadSlice('\n')
		line = append(line, chunk...)
	}
	if len(line) > maxLine {
		return nil, fmt.Errorf("record longer than %d bytes", maxLine)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return line, eofOnly(err)
}

// eofOnly passes io.EOF and read errors on, and drops nil.
func eofOnly(err error) error {
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil
	}
	return err
}

// parseRecord decodes one record line (without its prefix).
func parseRecord(line []byte) (Record, error) {
	var rec Record
	if err := json.Unmarshal(line, &rec); err != nil {
		return Record{}, fmt.Errorf("malformed artifact record: %w", err)
	}
	if err := rec.validate(); err != nil {
		return Record{}, fmt.Errorf("malformed artifact record: %w", err)
	}
	return rec, nil
}
