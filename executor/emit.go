package executor

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

// emit waits for the kubelet to stop the sidecar (SIGTERM; SIGINT by
// hand), which it does once the step's command has ended, and then prints
// the records in dir, one LogPrefix line each, sorted by file name. ready,
// when not nil, is called once the signals are caught.
func emit(dir string, stdout, stderr io.Writer, ready func()) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	if ready != nil {
		ready()
	}
	<-sigs
	if err := printRecords(dir, stdout); err != nil {
		fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
		return 1
	}
	return 0
}

// printRecords prints the records of dir. A record file that cannot be read
// becomes a record with that Error, so that the driver sees why.
func printRecords(dir string, stdout io.Writer) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // the command never started: no artifact
	}
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || name == "" || e.IsDir() {
			continue
		}
		rec, err := readRecord(filepath.Join(dir, e.Name()))
		if err != nil {
			rec = Record{Name: name, Error: fmt.Sprintf("kubectl-wf-executor could not read its record: %v", err)}
		}
		line, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		w.WriteString(LogPrefix)
		w.Write(line)
		w.WriteByte('\n')
	}
	return w.Flush()
}

func readRecord(file string) (Record, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return Record{}, err
	}
	return parseRecord(data)
}
