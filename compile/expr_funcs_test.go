package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExprFuncs: Argo's functions in `{{=…}}`, with the values its
// examples (expression-*.yaml, conditionals.yaml) expect.
func TestExprFuncs(t *testing.T) {
	vars := Vars{
		"workflow.parameters.config":           `{"a": "1", "b": 2, "c": {"d": true}}`,
		"workflow.parameters.people":           `{"employees": [{"name": "Baris", "age": 43}, {"name": "Mo", "age": 42}, {"name": "Jai", "age": 44}]}`,
		"workflow.parameters.json":             `[{"name":"should-print","value":"true"}]`,
		"workflow.parameters.weather":          `{"weekWeather": "eyJ0ZW1wcyI6IFszNCwgMjcsIDE1LCA1NywgNDZdfQo="}`,
		"inputs.parameters.n":                  "3",
		"tasks.skipped.outputs.parameters.msg": absent,
	}
	tests := []struct {
		expr, want string
		missing    []string
	}{
		{"jsonpath(workflow.parameters.config, '$.a')", "1", nil},
		{"jsonpath(workflow.parameters.config, '$.b')", "2", nil},
		{"jsonpath(workflow.parameters.config, '$.c')", `{"d":true}`, nil},
		{"jsonpath(workflow.parameters.json, '$[0].value') == 'true'", "true", nil},
		{`jsonpath(workflow.parameters.people, '$.employees[?(@.name=="Baris")].age')`, "[43]", nil},
		{"jsonpath(workflow.parameters.people, '$.employees[?(@.age>42 && @.age<44)].age')", "[43]", nil},
		{"jsonpath(workflow.parameters.people, '$.employees[0:1]')", `[{"age":43,"name":"Baris"}]`, nil},
		{"jsonpath(workflow.parameters.people, '$.employees[*].name')", `["Baris","Mo","Jai"]`, nil},
		{"jsonpath('not json', '$.a')", "", []string{"=jsonpath('not json', '$.a')"}},
		{"sprig.add(1, 2)", "3", nil},
		{"sprig.upper('hi') + sprig.trim('  x ')", "HIx", nil},
		{"sprig.b64dec(jsonpath(workflow.parameters.weather, '$.weekWeather'))", "{\"temps\": [34, 27, 15, 57, 46]}\n", nil},
		{"map([jsonpath(sprig.b64dec(jsonpath(workflow.parameters.weather, '$.weekWeather')), '$.temps')], " +
			"{toJson({avg: sprig.add(#[0], #[1], #[2], #[3], #[4]) / 5, min: sprig.min(#[0], #[1], #[2], #[3], #[4])})})[0]",
			`{"avg":35.8,"min":15}`, nil},
		{"asInt(inputs.parameters.n) * 10", "30", nil},
		{"toJson(filter([1, 3], {# > 1}))", "[3]", nil},
		// Argo leaves out the functions that read the environment.
		{"sprig.env('HOME')", "", []string{"=sprig.env('HOME')"}},
		// An absent output is nil: `??` replaces it, anything else fails.
		{"tasks.skipped.outputs.parameters.msg ?? 'fallback'", "fallback", nil},
		{"tasks.skipped.outputs.parameters.msg", "", []string{"=tasks.skipped.outputs.parameters.msg"}},
	}
	for _, tt := range tests {
		got, missing := vars.Resolve("{{=" + tt.expr + "}}")
		if tt.missing != nil {
			got = ""
		}
		if got != tt.want {
			t.Errorf("{{=%s}} = %q, want %q", tt.expr, got, tt.want)
		}
		if d := cmp.Diff(tt.missing, missing); d != "" {
			t.Errorf("{{=%s}} missing (-want +got):\n%s", tt.expr, d)
		}
	}
}

// TestAbsentOutputs: a simple tag naming an absent output does not
// resolve, and only a whole-value reference to one is an AbsentRef.
func TestAbsentOutputs(t *testing.T) {
	vars := Vars{"tasks.a.outputs.parameters.empty": ""}
	vars.SetAbsent("tasks.a.outputs.parameters.msg")
	tests := []struct {
		in, want  string
		missing   []string
		absentRef bool
	}{
		{"{{tasks.a.outputs.parameters.msg}}", "{{tasks.a.outputs.parameters.msg}}", []string{"tasks.a.outputs.parameters.msg"}, true},
		{"{{ tasks.a.outputs.parameters.msg }}", "{{ tasks.a.outputs.parameters.msg }}", []string{"tasks.a.outputs.parameters.msg"}, true},
		{"x-{{tasks.a.outputs.parameters.msg}}", "x-{{tasks.a.outputs.parameters.msg}}", []string{"tasks.a.outputs.parameters.msg"}, false},
		// A legitimately empty output is not absent.
		{"{{tasks.a.outputs.parameters.empty}}", "", nil, false},
		{"{{=tasks.a.outputs.parameters.empty ?? 'fb'}}", "", nil, false},
		{"{{=tasks.a.outputs.parameters.msg == ''}}", "false", nil, false},
	}
	for _, tt := range tests {
		got, missing := vars.Resolve(tt.in)
		if got != tt.want {
			t.Errorf("Resolve(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if d := cmp.Diff(tt.missing, missing); d != "" {
			t.Errorf("Resolve(%q) missing (-want +got):\n%s", tt.in, d)
		}
		if got := vars.AbsentRef(tt.in); got != tt.absentRef {
			t.Errorf("AbsentRef(%q) = %v, want %v", tt.in, got, tt.absentRef)
		}
	}
}
