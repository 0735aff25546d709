// Command conformance runs Argo Workflows' own examples through kubectl-wf
// and writes docs/conformance.md: every `kind: Workflow` file is linted, and
// each one Argo's CI requires to succeed (ci-tested.txt) that lints clean is
// submitted to a cluster with the built binary and followed to its end.
//
// It is a program rather than a test: its output is a report in which a
// failing example is data, not a failure, and a full run outlasts go test's
// default timeout while its progress should show as it goes.
//
// Run it from the repository (make conformance does):
//
//	KUBECONFIG=... go run ./hack/conformance [-examples DIR] [-run REGEXP] [-lint-only]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	examples := os.Getenv("ARGO_EXAMPLES")
	if examples == "" {
		examples = filepath.Join(root, "..", "shared", "argo-examples")
	}
	flag.StringVar(&examples, "examples", examples, "Argo's examples folder (env ARGO_EXAMPLES)")
	bin := flag.String("kubectl-wf", filepath.Join(root, "bin", "kubectl-wf"), "the built kubectl-wf binary")
	out := flag.String("out", filepath.Join(root, "docs", "conformance.md"), "the report to write")
	parallel := flag.Int("parallel", 3, "examples run at once")
	timeout := flag.Duration("timeout", 3*time.Minute, "time limit of each example")
	lintOnly := flag.Bool("lint-only", false, "lint only; submit nothing")
	keep := flag.Bool("keep", false, "keep the namespace after the run")
	only := flag.String("run", "", "submit only the examples whose path matches this regexp (the report then shows only those run)")
	flag.Parse()
	filter, err := regexp.Compile(*only)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()

	c, err := scan(examples)
	if err != nil {
		return err
	}
	for _, ex := range c.Examples {
		if ex.Lint = lintFile(examples, ex.File); ex.Lint.Panic != "" {
			fmt.Fprintf(os.Stderr, "%s: lint crashed: %s\n", ex.File, ex.Lint.Panic)
		}
	}
	fmt.Fprintf(os.Stderr, "linted %d Workflow files in %s\n", len(c.Examples), time.Since(start).Round(time.Millisecond))

	rep := &report{corpus: c, LintOnly: *lintOnly, Timeout: *timeout, Parallel: *parallel}
	if !*lintOnly {
		if os.Getenv("KUBECONFIG") == "" {
			return errors.New("KUBECONFIG is not set (or use -lint-only)")
		}
		if rep.Setup, err = runOnCluster(ctx, c, examples, *bin, filter, *parallel, *timeout, *keep); err != nil {
			return err
		}
	}
	rep.Took = time.Since(start)
	if err := os.WriteFile(*out, rep.markdown(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s\n%s\nwrote %s in %s\n", rep.succeededLine(), rep.lintLine(), *out, rep.Took.Round(time.Second))
	return nil
}

// repoRoot is the nearest folder above the working directory with a go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run it inside the repository: no go.mod above the working directory")
		}
		dir = parent
	}
}
