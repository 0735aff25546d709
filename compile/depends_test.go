package compile

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDepends(t *testing.T) {
	// results: what each task ended as.
	results := map[string][]string{
		"A":       {"Succeeded", "AnySucceeded"},
		"B":       {"Failed", "AllFailed"},
		"C":       {"Skipped"},
		"D":       {"Errored"},
		"my-task": {"Succeeded"},
	}
	// A bare name asks for "": the caller says whether the task ended well.
	ended := func(task, result string) bool {
		if result == "" {
			return slices.Contains(results[task], "Succeeded") || slices.Contains(results[task], "Skipped")
		}
		return slices.Contains(results[task], result)
	}
	tests := []struct {
		expr  string
		want  bool
		tasks []string
	}{
		{"A", true, []string{"A"}},
		{"C", true, []string{"C"}}, // a bare name counts Skipped as fine
		{"B", false, []string{"B"}},
		{"D", false, []string{"D"}},
		{"A && B", false, []string{"A", "B"}},
		{"A || B", true, []string{"A", "B"}},
		{"!B", true, []string{"B"}},
		{"B.Failed && D.Errored", true, []string{"B", "D"}},
		{"(A.Succeeded || B.Succeeded) && !C.Succeeded", true, []string{"A", "B", "C"}},
		{"A.AnySucceeded && B.AllFailed", true, []string{"A", "B"}},
		{"my-task.Succeeded", true, []string{"my-task"}},
		{"A && A.Succeeded", true, []string{"A"}},
		{"  A&&B.Failed  ", true, []string{"A", "B"}},
		{"!!A", true, []string{"A"}},
		{"A || B && C.Skipped", true, []string{"A", "B", "C"}}, // && binds tighter
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			d, err := ParseDepends(tt.expr)
			if err != nil {
				t.Fatalf("ParseDepends(%q): %v", tt.expr, err)
			}
			if got := d.Eval(ended); got != tt.want {
				t.Errorf("Eval = %v, want %v", got, tt.want)
			}
			if d := cmp.Diff(tt.tasks, d.Tasks()); d != "" {
				t.Errorf("Tasks (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseDependsErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "expression ends early"},
		{"A &&", "expression ends early"},
		{"(A || B", "missing )"},
		{"A)", `unexpected ")"`},
		{"A.Succeded", `unknown task result "Succeded"`},
		{".Succeeded", "missing task name"},
		{"A B", `unexpected "B"`},
		{"A & B", `unexpected "&"`},
		{"&& A", `unexpected "&&"`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := ParseDepends(tt.expr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDepends(%q) error = %v, want it to contain %q", tt.expr, err, tt.want)
			}
		})
	}
}

func FuzzParseDepends(f *testing.F) {
	for _, s := range []string{"A", "A && B", "(A.Succeeded || B.Failed) && !C", "a-b.AnySucceeded", "((", "A.", "!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDepends(s)
		if err != nil {
			return
		}
		// Whatever parses names tasks and evaluates without panicking.
		d.Eval(func(string, string) bool { return true })
		for _, task := range d.Tasks() {
			if task == "" {
				t.Fatalf("ParseDepends(%q) names an empty task", s)
			}
		}
	})
}
