package compile

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A child workflow's errors are placed in the parent's file when its
// manifest is a literal block, and at the manifest, with their place in
// it, otherwise.
func TestChildWorkflowErrorPositions(t *testing.T) {
	const child = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: c-}\nspec:\n  entrypoint: mian\n  templates:\n  - name: main\n    container: {image: busybox}"
	const msg = `the Workflow it creates: entrypoint template "mian" is not defined; did you mean "main"?`
	const inManifest = `the Workflow it creates: manifest:5:15: entrypoint template "mian" is not defined; did you mean "main"?`
	indented := func(by string) string { return by + strings.ReplaceAll(child, "\n", "\n"+by) + "\n" }
	// The manifest's value starts at 10:17; "mian" is at 5:15 in the child.
	for _, tc := range []struct {
		name, manifest, want string
	}{
		{"literal", "|\n" + indented("        "), "f.yaml:15:23: " + msg},
		{"strip chomping and a comment", "|- # the child\n" + indented("        "), "f.yaml:15:23: " + msg},
		{"keep chomping, deeper", "|+\n" + indented("            "), "f.yaml:15:27: " + msg},
		{"a blank line first", "|\n\n" + indented("        "), "f.yaml:16:23: " + msg},
		{"indentation indicator", "|2\n" + indented("        "), "f.yaml:10:17: " + inManifest},
		{"quoted", strconv.Quote(child) + "\n", "f.yaml:10:17: " + inManifest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: p-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    resource:\n      action: create\n      manifest: " + tc.manifest
			docs, diags := ParseFile("f.yaml", []byte(src))
			if diags.HasErrors() {
				t.Fatalf("parse: %v\n%s", diags, src)
			}
			var got []string
			for _, d := range Lint(docs).Errors() {
				got = append(got, d.String())
			}
			if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
				t.Errorf("lint (-want +got):\n%s\nsource:\n%s", diff, src)
			}
		})
	}
}
