package compile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTags(t *testing.T) {
	tests := []struct {
		in   string
		want []Tag
	}{
		{"plain", nil},
		{"{{a}}", []Tag{{Start: 0, End: 5, Name: "a"}}},
		{"x {{ a.b }} y {{=1+1}}", []Tag{{Start: 2, End: 11, Name: "a.b"}, {Start: 14, End: 22, Name: "1+1", Expression: true}}},
		{"{{unclosed", nil},
		{"{{a}}{{b", []Tag{{Start: 0, End: 5, Name: "a"}}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, Tags(tt.in)); d != "" {
			t.Errorf("Tags(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestVarsResolve(t *testing.T) {
	vars := Vars{
		"inputs.parameters.msg": "hello",
		"workflow.name":         "wf",
		"inputs.parameters.n":   "3",
		"evil":                  `"}} {{workflow.name}} $(rm -rf /)`,
	}
	tests := []struct {
		in, want string
		missing  []string
	}{
		{"{{inputs.parameters.msg}} from {{workflow.name}}", "hello from wf", nil},
		{"{{ inputs.parameters.msg }}", "hello", nil},
		{"{{steps.a.outputs.result}}", "{{steps.a.outputs.result}}", []string{"steps.a.outputs.result"}},
		{"{{=asInt(inputs.parameters.n) * 2}}", "6", nil},
		{"{{=inputs.parameters.msg + '!'}}", "hello!", nil},
		{"{{=steps.x.outputs.result}}", "{{=steps.x.outputs.result}}", []string{"=steps.x.outputs.result"}},
		{"{{.Go.Template}}", "{{.Go.Template}}", nil},
		// A value is inserted once, as text: tags inside it are not expanded.
		{"{{evil}}", `"}} {{workflow.name}} $(rm -rf /)`, nil},
	}
	for _, tt := range tests {
		got, missing := vars.Resolve(tt.in)
		if got != tt.want {
			t.Errorf("Resolve(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if d := cmp.Diff(tt.missing, missing); d != "" {
			t.Errorf("Resolve(%q) missing (-want +got):\n%s", tt.in, d)
		}
	}
}

func FuzzReplace(f *testing.F) {
	for _, s := range []string{"{{a}}", "x{{ b }}y", "{{=1}}", "{{", "}}{{", "{{{{a}}}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Replacing every tag by "" leaves exactly the text outside tags.
		var outside strings.Builder
		last := 0
		for _, tag := range Tags(s) {
			if tag.Start < last || tag.End > len(s) || tag.Start >= tag.End {
				t.Fatalf("Tags(%q): bad bounds %+v", s, tag)
			}
			outside.WriteString(s[last:tag.Start])
			last = tag.End
		}
		outside.WriteString(s[last:])
		if got := Replace(s, func(Tag) (string, bool) { return "", true }); got != outside.String() {
			t.Fatalf("Replace(%q) = %q, want %q", s, got, outside.String())
		}
		// Resolving never panics and leaves unknown tags in place.
		if got, _ := (Vars{}).Resolve(s); !strings.Contains(s, "{{") && got != s {
			t.Fatalf("Resolve(%q) changed a string without tags: %q", s, got)
		}
	})
}
