package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// unsupported starts every error about a field kubectl-wf does not run yet.
const unsupported = "not supported: "

// lintResult is what kubectl wf lint says of one file.
type lintResult struct {
	Errors   compile.Diagnostics
	Warnings int
	// Panic is set when the compile package crashed on the file.
	Panic string
}

// lintFile lints one file as `kubectl wf lint FILE` does, in process, so
// that a crash is caught with its stack. Positions name the file by its
// path inside the examples folder.
func lintFile(dir, rel string) (r lintResult) {
	defer func() {
		if p := recover(); p != nil {
			r = lintResult{Panic: fmt.Sprintf("panic: %v\n%s", p, debug.Stack())}
		}
	}()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return lintResult{Panic: err.Error()}
	}
	docs, diags := compile.ParseFile(rel, data)
	diags = append(diags, compile.Lint(docs)...).Sort()
	return lintResult{Errors: diags.Errors(), Warnings: len(diags) - len(diags.Errors())}
}

// Clean reports whether the file has no errors.
func (r lintResult) Clean() bool { return r.Panic == "" && len(r.Errors) == 0 }

// Explained reports whether the file is clean or every error says, with
// its position, which unsupported feature it is.
func (r lintResult) Explained() bool { return r.Panic == "" && len(r.Unexplained()) == 0 }

// Unexplained are the errors that are not "not supported" at a position:
// each is a bug of lint or a real mistake of the example.
func (r lintResult) Unexplained() compile.Diagnostics {
	return slices.DeleteFunc(slices.Clone(r.Errors), func(d compile.Diagnostic) bool {
		return strings.HasPrefix(d.Message, unsupported) && d.Pos.Line > 0 && d.Pos.Col > 0
	})
}

// Missing are the distinct unsupported features, without their paths:
// `not supported: spec.templates[0].retryStrategy: retryStrategy is not
// supported yet` gives `retryStrategy is not supported yet`.
func (r lintResult) Missing() []string {
	var out []string
	for _, d := range r.Errors {
		m, ok := strings.CutPrefix(d.Message, unsupported)
		if !ok {
			continue
		}
		if _, why, ok := strings.Cut(m, ": "); ok {
			m = why
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// First is the first error line, or the crash's first line.
func (r lintResult) First() string {
	if r.Panic != "" {
		first, _, _ := strings.Cut(r.Panic, "\n")
		return first
	}
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].String()
}
