package executor

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// emitOptions is emit's command line: the folder wrap writes its records
// in, and the artifacts emit collects itself, from volumes it shares with
// the step's containers (a step whose artifacts all lie on volumes needs
// no wrap, so its command may be its image's own).
//
// It also reads output parameters' files on those volumes (outputFiles),
// which it leaves in its termination message (messageFile) for the driver:
// a containerSet's, which containers other than main write.
type emitOptions struct {
	dir         string
	artifacts   []artifact
	outputFiles []string
	messageFile string
}

func parseEmit(args []string) (emitOptions, error) {
	opts := emitOptions{messageFile: "/dev/termination-log"}
	fl := flag.NewFlagSet("emit", flag.ContinueOnError)
	fl.SetOutput(io.Discard) // Main prints the usage
	var af artifactFlags
	af.register(fl)
	fl.Func("output-file", "PATH of an output parameter's file", func(s string) error {
		opts.outputFiles = append(opts.outputFiles, s)
		return nil
	})
	fl.StringVar(&opts.messageFile, "message-file", opts.messageFile, "the file to leave the output files in")
	if err := fl.Parse(args); err != nil {
		return emitOptions{}, err
	}
	if fl.NArg() != 1 {
		return emitOptions{}, errors.New("emit takes one folder")
	}
	var err error
	opts.dir = fl.Arg(0)
	opts.artifacts, err = af.resolve()
	return opts, err
}

// emit waits for the kubelet to stop the sidecar (SIGTERM; SIGINT by
// hand), which it does once the step's containers have ended, then
// collects its own artifacts and prints every record, one LogPrefix line
// each, sorted by name. ready, when not nil, is called once the signals
// are caught.
func emit(opts emitOptions, stdout, stderr io.Writer, ready func()) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	if ready != nil {
		ready()
	}
	<-sigs
	if len(opts.outputFiles) > 0 {
		if err := writeOutputFiles(opts.messageFile, opts.outputFiles); err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
			return 1
		}
	}
	recs, err := readRecordDir(opts.dir)
	if err != nil {
		fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
		return 1
	}
	used := 0
	for _, r := range recs {
		used += r.size()
	}
	recs = append(recs, collectAll(opts.artifacts, used)...)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	if err := printRecords(recs, stdout); err != nil {
		fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
		return 1
	}
	return 0
}

// readRecordDir reads the records wrap wrote in dir. A record file that
// cannot be read becomes a record with that Error, so that the driver
// sees why.
func readRecordDir(dir string) ([]Record, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // nothing was wrapped, or it never started
	}
	if err != nil {
		return nil, err
	}
	var recs []Record
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || name == "" || e.IsDir() {
			continue
		}
		rec, err := readRecord(filepath.Join(dir, e.Name()))
		if err != nil {
			rec = Record{Name: name, Error: fmt.Sprintf("kubectl-wf-executor could not read its record: %v", err)}
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func printRecords(recs []Record, stdout io.Writer) error {
	w := bufio.NewWriter(stdout)
	for _, rec := range recs {
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
