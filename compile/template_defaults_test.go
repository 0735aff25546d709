package compile

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTemplateDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, defaults, templates string
		// want: template name -> the JSON of the fields checked, as merged.
		want map[string]string
		// fields: which top-level fields of each template want shows.
		fields []string
	}{{
		// examples/template-defaults.yaml
		name:      "every template, steps ones too",
		defaults:  "timeout: 30s\n    retryStrategy: {limit: \"2\"}",
		templates: stepsAndContainer,
		fields:    []string{"timeout", "retryStrategy"},
		want: map[string]string{
			"main": `{"retryStrategy":{"limit":"2"},"timeout":"30s"}`,
			"run":  `{"retryStrategy":{"limit":"2"},"timeout":"30s"}`,
		},
	}, {
		name:     "the template's own value wins",
		defaults: "timeout: 30s",
		templates: `  - name: main
    timeout: 5s
    container: {image: busybox}
`,
		fields: []string{"timeout"},
		want:   map[string]string{"main": `{"timeout":"5s"}`},
	}, {
		// Strategic merge: env by name (B takes the template's value, in the
		// defaults' order); a list without a merge key (command) is the
		// template's.
		name:     "a container's fields merge, lists by their merge key",
		defaults: "container: {image: alpine, command: [sh], env: [{name: A, value: \"1\"}, {name: B, value: \"2\"}]}",
		templates: `  - name: main
    container:
      command: [echo, hi]
      env: [{name: B, value: "3"}]
`,
		fields: []string{"container"},
		want:   map[string]string{"main": `{"container":{"name":"","image":"alpine","command":["echo","hi"],"env":[{"name":"A","value":"1"},{"name":"B","value":"3"}],"resources":{}}}`},
	}, {
		// Only the template's own type takes the defaults' one.
		name:      "a container default does not reach a steps template",
		defaults:  "container: {image: alpine}",
		templates: stepsAndContainer,
		fields:    []string{"container"},
		want: map[string]string{
			"main": `{}`,
			"run":  `{"container":{"name":"","image":"busybox","resources":{}}}`,
		},
	}, {
		name:     "input parameters merge by name",
		defaults: "inputs: {parameters: [{name: who, value: world}]}",
		templates: `  - name: main
    inputs: {parameters: [{name: greeting, value: hello}]}
    container: {image: busybox}
`,
		fields: []string{"inputs"},
		want:   map[string]string{"main": `{"inputs":{"parameters":[{"name":"greeting","value":"hello"},{"name":"who","value":"world"}]}}`},
	}, {
		name:      "metadata labels merge",
		defaults:  "metadata: {labels: {team: a, tier: x}}",
		templates: "  - name: main\n    metadata: {labels: {tier: y}}\n    container: {image: busybox}\n",
		fields:    []string{"metadata"},
		want:      map[string]string{"main": `{"metadata":{"labels":{"team":"a","tier":"y"}}}`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			docs, diags := ParseFile("t.yaml", []byte(defaultsWorkflow(tc.defaults, tc.templates)))
			diags = append(diags, Lint(docs)...)
			if len(diags) > 0 {
				t.Fatalf("lint: %v", diags)
			}
			w, err := NewWorkflow(docs[0], Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, tmpl := range w.Spec.Templates {
				b, _ := json.Marshal(tmpl)
				var all map[string]json.RawMessage
				if err := json.Unmarshal(b, &all); err != nil {
					t.Fatal(err)
				}
				some := map[string]json.RawMessage{}
				for _, f := range tc.fields {
					if v, ok := all[f]; ok {
						some[f] = v
					}
				}
				b, _ = json.Marshal(some)
				got[tmpl.Name] = string(b)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("merged templates (-want +got):\n%s", diff)
			}
			if strings.Contains(docs[0].Spec.Templates[0].Timeout, "30s") {
				t.Errorf("the parsed document was changed")
			}
		})
	}
}

const stepsAndContainer = `  - name: main
    steps:
    - - {name: a, template: run}
  - name: run
    container: {image: busybox}
`

func defaultsWorkflow(defaults, templates string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templateDefaults:
    ` + defaults + `
  templates:
` + templates
}

// Lint sees the templates as merged, and points at templateDefaults for
// what it gave them.
func TestTemplateDefaultsLint(t *testing.T) {
	for _, tc := range []struct {
		name, defaults, templates string
		want                      []string
	}{{
		name:      "a bad default is reported where it was written",
		defaults:  "timeout: soon",
		templates: "  - name: main\n    container: {image: busybox}\n",
		want:      []string{`t.yaml:7:14: timeout "soon" is not a duration such as 30s or 5m`},
	}, {
		name:      "the template's own bad value is reported in the template",
		defaults:  "timeout: 30s",
		templates: "  - name: main\n    timeout: soon\n    container: {image: busybox}\n",
		want:      []string{`t.yaml:10:14: timeout "soon" is not a duration such as 30s or 5m`},
	}, {
		// Argo validates before merging: a timeout given to a steps
		// template by the defaults is no error.
		name:      "a default timeout on a steps template is accepted",
		defaults:  "timeout: 30s",
		templates: stepsAndContainer,
	}, {
		name:      "a steps template's own timeout is still refused",
		defaults:  "retryStrategy: {limit: 1}",
		templates: "  - name: main\n    timeout: 30s\n    steps:\n    - - {name: a, template: run}\n  - name: run\n    container: {image: busybox}\n",
		want:      []string{`t.yaml:10:14: steps template doesn't support timeout field`},
	}, {
		name:      "an unsupported field in the defaults",
		defaults:  "resourceClaims: [{name: gpu}]",
		templates: "  - name: main\n    container: {image: busybox}\n",
		want:      []string{`t.yaml:7:5: not supported: spec.templateDefaults.resourceClaims: dynamic resource claims are not supported yet`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			docs, diags := ParseFile("t.yaml", []byte(defaultsWorkflow(tc.defaults, tc.templates)))
			diags = append(diags, Lint(docs)...)
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
