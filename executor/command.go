package executor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
)

// terminationLog is where the kubelet reads a container's termination
// message.
const terminationLog = "/dev/termination-log"

const usage = `usage:
  kubectl-wf-executor install DEST
  kubectl-wf-executor wrap --out DIR [--artifact NAME=PATH]... [--optional NAME]... -- CMD [ARG...]
  kubectl-wf-executor emit [--artifact NAME=PATH]... [--optional NAME]... [--output-file PATH]... [--message-file FILE] DIR
  kubectl-wf-executor render SRC DEST VAR
  kubectl-wf-executor seed SRC DEST [SRC DEST]...
  kubectl-wf-executor fetch DIR   (the artifacts to fetch in $KUBECTL_WF_FETCH)
  kubectl-wf-executor noop
`

// Main runs the executor's command line (without the program name) and
// returns its exit code. Only wrap's command writes to stdout and reads
// stdin; emit writes the records to stdout.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch sub, rest := args[0], args[1:]; {
	case sub == "install" && len(rest) == 1:
		if err := install(rest[0]); err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
			return 1
		}
		return 0
	case sub == "wrap":
		opts, err := parseWrap(rest)
		if err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor wrap: %v\n%s", err, usage)
			return 2
		}
		return wrap(opts, stdin, stdout, stderr)
	case sub == "emit" && len(rest) > 0:
		opts, err := parseEmit(rest)
		if err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor emit: %v\n%s", err, usage)
			return 2
		}
		return emit(opts, stdout, stderr, nil)
	case sub == "render" && len(rest) == 3:
		if err := render(rest[0], rest[1], rest[2]); err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
			return 1
		}
		return 0
	case sub == "fetch":
		dir, specs, err := parseFetch(rest, os.Getenv)
		if err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor fetch: %v\n%s", err, usage)
			return 2
		}
		if err := fetchAll(context.Background(), http.DefaultClient, specs, dir, terminationLog, os.Getenv); err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
			return 1
		}
		return 0
	case sub == "seed" && len(rest) >= 2 && len(rest)%2 == 0:
		if err := seed(rest, stderr); err != nil {
			fmt.Fprintf(stderr, "kubectl-wf-executor: %v\n", err)
			return 1
		}
		return 0
	case sub == "noop" && len(rest) == 0:
		// The pod of a resource template that refers to {{pod.name}}:
		// it only has to exist.
		return 0
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
}
