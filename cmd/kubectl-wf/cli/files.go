package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// stdinName is how diagnostics name standard input.
const stdinName = "<stdin>"

// readDocuments parses every file named (a directory means its YAML files,
// `-` means standard input) and returns the documents and the problems
// found in them.
func readDocuments(names []string, stdin io.Reader) ([]*compile.Document, compile.Diagnostics, error) {
	var docs []*compile.Document
	var diags compile.Diagnostics
	files, err := expandFiles(names)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range files {
		var data []byte
		if name == "-" {
			data, err = io.ReadAll(stdin)
			name = stdinName
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			return nil, nil, err
		}
		d, ds := compile.ParseFile(name, data)
		docs = append(docs, d...)
		diags = append(diags, ds...)
	}
	return docs, diags, nil
}

// expandFiles replaces each directory by the YAML files below it, sorted.
func expandFiles(names []string) ([]string, error) {
	var out []string
	for _, name := range names {
		if name == "-" {
			out = append(out, name)
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, name)
			continue
		}
		var found []string
		err = filepath.WalkDir(name, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := strings.ToLower(filepath.Ext(path)); !d.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .yaml, .yml or .json files", name)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}
