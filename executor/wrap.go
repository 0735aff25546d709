package executor

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
)

// wrapOptions is wrap's command line.
type wrapOptions struct {
	out       string // the folder of the records, NAME.json each
	artifacts []artifact
	command   []string
}

func parseWrap(args []string) (wrapOptions, error) {
	var opts wrapOptions
	fl := flag.NewFlagSet("wrap", flag.ContinueOnError)
	fl.SetOutput(io.Discard) // Main prints the usage
	fl.StringVar(&opts.out, "out", "", "the folder to write the records in")
	var af artifactFlags
	af.register(fl)
	if err := fl.Parse(args); err != nil {
		return wrapOptions{}, err
	}
	opts.command = fl.Args()
	switch {
	case opts.out == "":
		return wrapOptions{}, errors.New("--out is required")
	case len(opts.command) == 0:
		return wrapOptions{}, errors.New("no command to run")
	}
	var err error
	opts.artifacts, err = af.resolve()
	return opts, err
}

// artifactFlags are the --artifact NAME=PATH and --optional NAME flags of
// wrap and emit.
type artifactFlags struct {
	artifacts []artifact
	optional  []string
}

func (af *artifactFlags) register(fl *flag.FlagSet) {
	fl.Func("artifact", "NAME=PATH of an output artifact", func(s string) error {
		name, path, ok := strings.Cut(s, "=")
		if !ok || path == "" {
			return fmt.Errorf("%q is not NAME=PATH", s)
		}
		if err := checkName(name); err != nil {
			return err
		}
		if indexArtifact(af.artifacts, name) >= 0 {
			return fmt.Errorf("artifact %s is given twice", name)
		}
		af.artifacts = append(af.artifacts, artifact{name: name, path: path})
		return nil
	})
	fl.Func("optional", "NAME of an artifact that may be missing", func(s string) error {
		af.optional = append(af.optional, s)
		return nil
	})
}

// resolve marks the optional artifacts.
func (af *artifactFlags) resolve() ([]artifact, error) {
	for _, name := range af.optional {
		i := indexArtifact(af.artifacts, name)
		if i < 0 {
			return nil, fmt.Errorf("--optional %s names no --artifact", name)
		}
		af.artifacts[i].optional = true
	}
	return af.artifacts, nil
}

func indexArtifact(list []artifact, name string) int {
	for i, a := range list {
		if a.name == name {
			return i
		}
	}
	return -1
}

// checkName refuses names that cannot be a record's file name NAME.json.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("artifact name %q cannot name a file", name)
	}
	return nil
}

// wrap runs the command, then saves its artifacts, and returns the
// command's exit code. Signals the container gets go to the command; they
// are held off while the records are written.
func wrap(opts wrapOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	code := run(opts.command, sigs, stdin, stdout, stderr)
	if err := writeRecords(opts.out, collectAll(opts.artifacts, 0)); err != nil {
		fmt.Fprintf(stderr, "kubectl-wf-executor: saving the output artifacts: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// run runs the command as a shell would (PATH lookup; 127 when it is not
// found, 126 when it cannot be executed) and forwards sigs to it.
func run(command []string, sigs <-chan os.Signal, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return 127
		}
		return 126
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s) // it may have just exited
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	if cmd.ProcessState == nil {
		fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
		return 1
	}
	return exitCode(cmd.ProcessState)
}

// writeRecords writes each record to dir/NAME.json, atomically: the
// sidecar may read the folder at any time.
func writeRecords(dir string, recs []Record) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var errs []error
	for _, rec := range recs {
		data, err := json.Marshal(rec)
		if err == nil {
			err = writeAtomic(dir, filepath.Join(dir, rec.Name+".json"), 0o644, func(w io.Writer) error {
				_, err := w.Write(data)
				return err
			})
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
