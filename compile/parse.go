package compile

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Document is one Workflow or WorkflowTemplate read from a file, with the
// position of every field so that later checks can point at the source.
type Document struct {
	// Kind is wfv1.KindWorkflow, KindWorkflowTemplate or
	// KindClusterWorkflowTemplate.
	Kind string
	// Metadata and Spec are shared by both kinds.
	Metadata metav1.ObjectMeta
	Spec     wfv1.WorkflowSpec
	// Start is where the document begins.
	Start     Pos
	positions *positions
	// source is the file the document was parsed from, if it was.
	source []byte
	// inlinePaths: template index → where an inline template moved there
	// by hoistInline was written; firstHoisted is the first such index.
	inlinePaths  map[int]string
	firstHoisted int
}

// Pos returns where the field at path (as `spec.templates[0].name`) is,
// or where its nearest enclosing field is when path itself is absent.
func (d *Document) Pos(path string) Pos {
	if p, ok := d.templateDefaultsPos(path); ok {
		return p
	}
	path = d.sourcePath(path)
	for path != "" {
		if p, ok := d.positions.lookup(path); ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return d.Start
}

// Name is the document's name, or its generateName prefix.
func (d *Document) Name() string {
	if d.Metadata.Name != "" {
		return d.Metadata.Name
	}
	return d.Metadata.GenerateName
}

// Workflow returns the document as a Workflow object.
func (d *Document) Workflow() *wfv1.Workflow {
	return &wfv1.Workflow{
		TypeMeta:   metav1.TypeMeta{APIVersion: wfv1.APIVersion, Kind: d.Kind},
		ObjectMeta: d.Metadata,
		Spec:       d.Spec,
	}
}

// ParseFile reads every document of a YAML file. Documents of other kinds
// are skipped with a warning; each problem found is a Diagnostic with its
// file:line:col. Documents with errors are not returned.
func ParseFile(file string, data []byte) ([]*Document, Diagnostics) {
	dec := kyaml.NewDecoder(bytes.NewReader(data))
	var docs []*Document
	var diags Diagnostics
	for {
		var root kyaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// yaml.v3 cannot go on after a syntax error.
			return nil, append(diags, syntaxError(file, err))
		}
		doc, ds := parseDocument(file, &root)
		if doc != nil {
			doc.source = data
		}
		diags = append(diags, ds...)
		if doc != nil && !ds.HasErrors() {
			docs = append(docs, doc)
		}
	}
	return docs, diags.Sort()
}

// parseDocument checks one document and decodes it.
func parseDocument(file string, root *kyaml.Node) (*Document, Diagnostics) {
	node := root
	if node.Kind == kyaml.DocumentNode {
		if len(node.Content) == 0 {
			return nil, nil
		}
		node = node.Content[0]
	}
	node = resolveAlias(node)
	start := posOf(file, node)
	if node.Kind == kyaml.ScalarNode && node.ShortTag() == "!!null" {
		return nil, nil // an empty document, as between two `---`
	}
	if node.Kind != kyaml.MappingNode {
		return nil, Diagnostics{{Pos: start, Severity: Error, Message: fmt.Sprintf("a document must be a mapping with apiVersion and kind, not %s", kindName(node))}}
	}
	apiVersion, kind := scalarField(node, "apiVersion"), scalarField(node, "kind")
	switch {
	case kind == "" && apiVersion == "":
		return nil, Diagnostics{{Pos: start, Severity: Warning, Message: "skipped: not a Kubernetes object (no apiVersion and kind)"}}
	case kind == "":
		return nil, Diagnostics{{Pos: start, Severity: Error, Message: "missing field \"kind\""}}
	case apiVersion != wfv1.APIVersion && strings.HasPrefix(apiVersion, wfv1.Group+"/"):
		return nil, Diagnostics{{Pos: posOf(file, fieldNode(node, "apiVersion")), Severity: Error,
			Message: fmt.Sprintf("unknown apiVersion %q for kind %s; did you mean %q?", apiVersion, kind, wfv1.APIVersion)}}
	case apiVersion != wfv1.APIVersion:
		meta := fieldNode(node, "metadata")
		name := cmp.Or(scalarField(meta, "name"), scalarField(meta, "generateName"))
		return nil, Diagnostics{{Pos: start, Severity: Warning, Message: fmt.Sprintf("skipped %s %q: not an %s object", kind, name, wfv1.APIVersion)}}
	}
	if msg, ok := unsupportedKinds[kind]; ok {
		return nil, Diagnostics{{Pos: posOf(file, fieldNode(node, "kind")), Severity: Error, Message: "not supported: kind " + kind + ": " + msg}}
	}
	if kind != wfv1.KindWorkflow && kind != wfv1.KindWorkflowTemplate && kind != wfv1.KindClusterWorkflowTemplate {
		return nil, Diagnostics{{Pos: posOf(file, fieldNode(node, "kind")), Severity: Warning, Message: fmt.Sprintf("skipped kind %s: kubectl-wf runs Workflow, WorkflowTemplate and ClusterWorkflowTemplate", kind)}}
	}

	w := &schemaWalker{file: file, positions: &positions{file: file}, support: supportTable}
	var wf wfv1.Workflow
	w.walk(node, reflect.ValueOf(&wf).Elem(), -1)
	if w.diags.HasErrors() {
		return nil, w.diags
	}
	doc := &Document{Kind: kind, Metadata: wf.ObjectMeta, Spec: wf.Spec, Start: start, positions: w.positions}
	hoistInline(doc)
	return doc, w.diags
}

// unsupportedKinds are argoproj.io kinds kubectl-wf will not run, and what
// to use instead.
var unsupportedKinds = map[string]string{
	wfv1.KindCronWorkflow: "schedule `kubectl wf submit --from workflowtemplate/NAME` from a native batch/v1 CronJob instead (see docs/compat.md)",
}

func fieldNode(node *kyaml.Node, name string) *kyaml.Node {
	if node == nil || node.Kind != kyaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == name {
			return resolveAlias(node.Content[i+1])
		}
	}
	return nil
}

func scalarField(node *kyaml.Node, name string) string {
	if v := fieldNode(node, name); v != nil && v.Kind == kyaml.ScalarNode {
		return v.Value
	}
	return ""
}

var yamlLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)

// syntaxError turns a YAML parser error into a positioned diagnostic.
func syntaxError(file string, err error) Diagnostic {
	msg := err.Error()
	pos := Pos{File: file, Line: 1, Col: 1}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		// yaml.v3 reports scanner errors 1-based but parser errors
		// ("did not find expected …") with the 0-based line of their mark.
		if strings.Contains(msg, "did not find expected") || strings.Contains(msg, "found undefined tag") {
			pos.Line++
		}
		if m[2] != "" {
			pos.Col, _ = strconv.Atoi(m[2])
		}
		msg = strings.Replace(msg, m[0]+": ", "", 1)
	}
	return Diagnostic{Pos: pos, Severity: Error, Message: "YAML syntax error: " + strings.TrimPrefix(msg, "yaml: ")}
}
