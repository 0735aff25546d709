// Command argosay is a stand-in for Argo Workflows' test image
// argoproj/argosay:v2, written from its documented behaviour:
//
//	argosay                       prints "hello argo"
//	argosay echo                  prints "hello argo"
//	argosay echo MSG              prints MSG
//	argosay echo MSG FILE         writes MSG to FILE (creating its folder)
//	argosay cat FILE...           copies the files to stdout
//	argosay sleep DURATION        sleeps (Go duration: 10s, 1m, ...)
//	argosay exit [CODE]           exits with CODE (default 0)
//	argosay assert_contains FILE TEXT
//	                              fails unless FILE contains TEXT
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const usage = "usage: argosay [assert_contains FILE TEXT|cat FILE...|echo [MSG] [FILE]|exit [CODE]|sleep DURATION]"

// exitCode asks main to exit with a given status and no message.
type exitCode int

func (e exitCode) Error() string { return "exit " + strconv.Itoa(int(e)) }

func main() {
	err := argosay(os.Stdout, os.Args[1:])
	var code exitCode
	switch {
	case errors.As(err, &code):
		os.Exit(int(code))
	case err != nil:
		fmt.Fprintln(os.Stderr, "argosay:", err)
		os.Exit(1)
	}
}

func argosay(out io.Writer, args []string) error {
	if len(args) == 0 {
		args = []string{"echo"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "echo":
		return echo(out, rest)
	case "cat":
		return cat(out, rest)
	case "sleep":
		return sleep(rest)
	case "exit":
		return exit(rest)
	case "assert_contains":
		return assertContains(rest)
	}
	return errors.New(usage)
}

func echo(out io.Writer, args []string) error {
	switch len(args) {
	case 0:
		_, err := fmt.Fprintln(out, "hello argo")
		return err
	case 1:
		_, err := fmt.Fprintln(out, args[0])
		return err
	case 2:
		if err := os.MkdirAll(filepath.Dir(args[1]), 0o777); err != nil {
			return err
		}
		return os.WriteFile(args[1], []byte(args[0]), 0o666)
	}
	return errors.New(usage)
}

func cat(out io.Writer, files []string) error {
	if len(files) == 0 {
		return errors.New(usage)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func sleep(args []string) error {
	if len(args) != 1 {
		return errors.New(usage)
	}
	d, err := time.ParseDuration(args[0])
	if err != nil {
		return err
	}
	time.Sleep(d)
	return nil
}

func exit(args []string) error {
	switch len(args) {
	case 0:
		return exitCode(0)
	case 1:
		code, err := strconv.Atoi(args[0])
		if err != nil {
			return err
		}
		return exitCode(code)
	}
	return errors.New(usage)
}

func assertContains(args []string) error {
	if len(args) != 2 {
		return errors.New(usage)
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), args[1]) {
		return fmt.Errorf("%q does not contain %q", args[0], args[1])
	}
	return nil
}
