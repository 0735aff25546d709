package compile

import "testing"

// TestTakenArtifactDiagnostics: a steps or dag template's output artifact
// is taken from a child with from or fromExpression, a global artifact is
// named by a globalName, and what Argo's validator refuses is refused.
func TestTakenArtifactDiagnostics(t *testing.T) {
	leaf := `  - name: gen
    container: {image: busybox, command: ["true"]}
    outputs: {artifacts: [{name: out, path: /out, globalName: g}]}
`
	tests := []struct {
		name, body string
		want       []string
	}{{
		name: "from, fromExpression and global artifacts lint clean",
		body: `  onExit: exit
  templates:
  - name: main
    steps:
    - - {name: a, template: gen}
    - - name: b
        template: gen
        arguments: {artifacts: [{name: x, fromExpression: "steps.a.outputs.artifacts.out"}]}
    outputs:
      artifacts:
      - {name: one, from: "{{steps.a.outputs.artifacts.out}}"}
      - {name: two, fromExpression: "steps.a.outputs.artifacts.out", globalName: two}
  - name: exit
    steps:
    - - name: use
        template: gen
        arguments: {artifacts: [{name: x, from: "{{workflow.outputs.artifacts.g}}"}, {name: y, from: "{{workflow.outputs.artifacts.two}}"}]}
` + leaf,
	}, {
		name: "a steps template's outputs need from or fromExpression, one of them, and no path",
		body: `  templates:
  - name: main
    steps:
    - - {name: a, template: gen}
    outputs:
      artifacts:
      - {name: none}
      - {name: both, from: "{{steps.a.outputs.artifacts.out}}", fromExpression: "steps.a.outputs.artifacts.out"}
      - {name: path, path: /p, from: "{{steps.a.outputs.artifacts.out}}"}
      - {name: bad, fromExpression: "steps.a.outputs.artifacts.out ?"}
      - {name: global, from: "{{steps.a.outputs.artifacts.out}}", globalName: "not a name"}
      - {name: nope, from: "{{steps.a.outputs.artifacts.nope}}"}
` + leaf,
		want: []string{
			`f.yaml:12:9: output artifact "none" of a steps template needs from or fromExpression`,
			`f.yaml:13:9: output artifact "both": give either from or fromExpression, not both`,
			"f.yaml:14:28: templates.main.outputs.artifacts.path.path only valid in container/script templates",
			`f.yaml:15:37: artifact "bad": fromExpression "steps.a.outputs.artifacts.out ?" does not parse: unexpected token EOF (1:31)`,
			`f.yaml:16:79: artifact "global": globalName "not a name" must consist of letters, digits, '_' or '-'`,
			`f.yaml:17:28: {{steps.a.outputs.artifacts.nope}}: template "gen" has no output artifact "nope"`,
		},
	}, {
		name: "a container's output artifact is saved from its path, not taken",
		body: `  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
    outputs:
      artifacts: [{name: a, from: "{{steps.x.outputs.artifacts.y}}"}]
`,
		want: []string{
			"f.yaml:10:19: not supported: spec.templates[0].outputs.artifacts[0]: a container or script template's output artifact is saved from its path; from and fromExpression take a child's in steps and dag templates",
			"f.yaml:10:35: {{steps.x.outputs.artifacts.y}}: only a steps or dag template can refer to steps",
		},
	}, {
		name: "a global artifact must be exported",
		body: `  templates:
  - name: main
    steps:
    - - name: use
        template: gen
        arguments: {artifacts: [{name: x, from: "{{workflow.outputs.artifacts.nobody}}"}, {name: y, from: "{{workflow.outputs.parameters.g}}"}]}
` + leaf,
		want: []string{
			`f.yaml:11:49: {{workflow.outputs.artifacts.nobody}}: no template exports a global output "nobody" (an output artifact's globalName)`,
			`f.yaml:11:107: {{workflow.outputs.parameters.g}}: no template exports a global output "g" (an output parameter's globalName)`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDiagnostics(t, lintHead+tt.body, tt.want)
		})
	}
}
