package cli

import (
	"bytes"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestPrintDocument: get's and list's documents go through kubectl's
// printers, so jsonpath and go-template work on them as on objects.
func TestPrintDocument(t *testing.T) {
	one := workflowSummary{APIVersion: documentAPIVersion, Kind: documentKind, Name: "a", Namespace: "ns", Phase: "Succeeded"}
	two := workflowSummary{APIVersion: documentAPIVersion, Kind: documentKind, Name: "b", Namespace: "ns", Phase: "Failed"}
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": []any{one, two}}
	for _, tc := range []struct {
		name, format, template string
		doc                    any
		want                   string
	}{
		{"one jsonpath", "jsonpath={.phase}", "", one, "Succeeded"},
		{"list jsonpath", `jsonpath={range .items[*]}{.name}={.phase} {end}`, "", list, "a=Succeeded b=Failed "},
		{"go-template", "go-template", "{{.name}} is {{.phase}}", one, "a is Succeeded"},
		{"yaml", "yaml", "", one, "apiVersion: kubectl-wf.dev/v1alpha1\ncreated: \"0001-01-01T00:00:00Z\"\nkind: Workflow\nname: a\nnamespace: ns\nphase: Succeeded\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flags := genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)
			*flags.OutputFormat = tc.format
			*flags.TemplatePrinterFlags.TemplateArgument = tc.template
			var out bytes.Buffer
			if err := printDocument(flags, tc.doc, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("printed %q, want %q", out.String(), tc.want)
			}
		})
	}
}

func TestKnownFormat(t *testing.T) {
	flags := genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)
	for format, want := range map[string]bool{"": true, "json": true, "name": true, "jsonpath={.a}": true,
		"go-template={{.a}}": true, "wide": false, "table": false, "jsonpat={.a}": false} {
		if got := knownFormat(flags, format); got != want {
			t.Errorf("knownFormat(%q) = %v, want %v", format, got, want)
		}
	}
	if !knownFormat(flags, "wide", "wide") {
		t.Errorf("knownFormat(wide) with wide allowed = false")
	}
}
