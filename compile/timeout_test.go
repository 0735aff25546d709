package compile

import (
	"strings"
	"testing"
)

func TestTemplateTimeout(t *testing.T) {
	for _, tc := range []struct {
		name, fields string
		want         int64 // the pod's activeDeadlineSeconds; 0: none
		lint         string
	}{
		{"timeout alone", `timeout: 90s`, 90, ""},
		{"rounded up to a second", `timeout: 1500ms`, 2, ""},
		{"the sooner of timeout and activeDeadlineSeconds", "timeout: 1m\n    activeDeadlineSeconds: 30", 30, ""},
		{"timeout sooner", "timeout: 10s\n    activeDeadlineSeconds: 30", 10, ""},
		{"a bare number is refused, as by Argo", `timeout: "30"`, 0, "run has invalid duration format in timeout"},
		{"not a duration", `timeout: soon`, 0, `timeout "soon" is not a duration such as 30s or 5m`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: run
  templates:
  - name: run
    ` + tc.fields + `
    container: {image: busybox}
`
			docs, diags := ParseFile("t.yaml", []byte(src))
			diags = append(diags, Lint(docs)...)
			if tc.lint != "" {
				if len(diags) != 1 || !strings.HasSuffix(diags[0].Message, tc.lint) {
					t.Fatalf("lint: %v, want %q", diags, tc.lint)
				}
				return
			}
			if len(diags) > 0 {
				t.Fatalf("lint: %v", diags)
			}
			w, err := NewWorkflow(docs[0], Options{})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := Compile(w)
			if err != nil {
				t.Fatal(err)
			}
			ads := plan.Jobs[0].Spec.Template.Spec.ActiveDeadlineSeconds
			if ads == nil || *ads != tc.want {
				t.Errorf("activeDeadlineSeconds = %v, want %d", ads, tc.want)
			}
		})
	}
}
