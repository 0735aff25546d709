package executor

import (
	"fmt"
	"io"
)

const usage = `usage:
  kubectl-wf-executor install DEST
  kubectl-wf-executor wrap --out DIR [--artifact NAME=PATH]... [--optional NAME]... -- CMD [ARG...]
  kubectl-wf-executor emit DIR
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
	case sub == "emit" && len(rest) == 1:
		return emit(rest[0], stdout, stderr, nil)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
}
