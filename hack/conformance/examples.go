package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// noTestLabel marks the examples Argo's CI does not run, with why as value.
const noTestLabel = "workflows.argoproj.io/no-test"

// corpus is what the examples folder holds.
type corpus struct {
	// Examples are the files with at least one `kind: Workflow`, by path.
	Examples []*example
	// CITested is ci-tested.txt: the files Argo's CI requires to succeed.
	CITested []string
	// Support are the ConfigMaps, PersistentVolumeClaims and (cluster)
	// workflow templates to apply first.
	Support []object
}

// example is one Workflow file and what became of it.
type example struct {
	File     string // slash-separated, relative to the folder
	CITested bool
	NoTest   string // the no-test label's value
	Features features
	Lint     lintResult
	Run      *runResult // nil when not submitted
}

// object is a supporting document, decoded as plain values.
type object struct {
	File string
	Kind string
	Body map[string]any
}

// scan reads every YAML file of the folder.
func scan(dir string) (*corpus, error) {
	c := &corpus{}
	tested, err := readLines(filepath.Join(dir, "ci-tested.txt"))
	if err != nil {
		return nil, err
	}
	c.CITested = tested
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		return c.addFile(filepath.ToSlash(rel), path)
	})
	if err != nil {
		return nil, err
	}
	for _, f := range tested {
		if !slices.ContainsFunc(c.Examples, func(ex *example) bool { return ex.File == f }) {
			return nil, fmt.Errorf("ci-tested.txt: %s is not a Workflow file of the folder", f)
		}
	}
	return c, nil
}

// addFile sorts the documents of one file: Workflows make it an example,
// ConfigMaps and PVCs are supporting objects, the rest is left alone.
func (c *corpus) addFile(rel, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	docs, err := decodeAll(data)
	if err != nil {
		// Still an example when it says so: lint reports the error.
		if workflowKind.Match(data) {
			ex := &example{File: rel, CITested: slices.Contains(c.CITested, rel)}
			if m := noTestValue.FindSubmatch(data); m != nil {
				ex.NoTest = string(m[1])
			}
			c.Examples = append(c.Examples, ex)
		}
		return nil
	}
	var ex *example
	for _, doc := range docs {
		switch kind, _ := doc["kind"].(string); kind {
		case "Workflow":
			if ex == nil {
				ex = &example{File: rel, CITested: slices.Contains(c.CITested, rel)}
				c.Examples = append(c.Examples, ex)
			}
			if labels, ok := dig(doc, "metadata", "labels").(map[string]any); ok && ex.NoTest == "" {
				ex.NoTest, _ = labels[noTestLabel].(string)
			}
			ex.Features.add(doc)
		case "ConfigMap", "PersistentVolumeClaim", "WorkflowTemplate", "ClusterWorkflowTemplate":
			c.Support = append(c.Support, object{File: rel, Kind: kind, Body: doc})
		}
	}
	return nil
}

// workflowKind and noTestValue read a file that does not decode.
var (
	workflowKind = regexp.MustCompile(`(?m)^kind:\s*Workflow\s*(#.*)?$`)
	noTestValue  = regexp.MustCompile(`workflows\.argoproj\.io/no-test:\s*"?([a-z-]+)`)
)

// decodeAll decodes every document of a YAML file.
func decodeAll(data []byte) ([]map[string]any, error) {
	dec := kyaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// readLines returns the non-empty lines of a file.
func readLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines []string
	for sc := bufio.NewScanner(bytes.NewReader(data)); sc.Scan(); {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// dig follows map keys into a decoded document.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
