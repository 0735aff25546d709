package compile

import (
	"cmp"
	"fmt"
	"slices"
)

// Pos is a place in a user's file, 1-based.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"column"`
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Severity says whether a diagnostic stops the workflow from running.
type Severity string

const (
	// Error: kubectl-wf will not run the workflow.
	Error Severity = "error"
	// Warning: the workflow runs, and gives the result Argo would.
	Warning Severity = "warning"
)

// Diagnostic is one problem found in a file.
type Diagnostic struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// String renders the diagnostic as compilers do: `file:line:col: message`,
// with warnings marked so that tools can tell them apart.
func (d Diagnostic) String() string {
	if d.Severity == Warning {
		return fmt.Sprintf("%s: warning: %s", d.Pos, d.Message)
	}
	return fmt.Sprintf("%s: %s", d.Pos, d.Message)
}

// Diagnostics is a list of problems, in file order once sorted.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns only the errors.
func (ds Diagnostics) Errors() Diagnostics {
	return slices.DeleteFunc(slices.Clone(ds), func(d Diagnostic) bool { return d.Severity != Error })
}

// Sort orders diagnostics by file, line, column, then message, and drops
// exact duplicates (one bad reference used twice in a line is one problem).
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(ds)
}

// Error makes Diagnostics usable as an error: the errors, one per line.
func (ds Diagnostics) Error() string {
	var s string
	for i, d := range ds.Errors() {
		if i > 0 {
			s += "\n"
		}
		s += d.String()
	}
	return s
}
