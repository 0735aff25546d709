package compile

import (
	"encoding/json"
	"fmt"

	"github.com/Masterminds/sprig/v3"
	"github.com/evilmonkeyinc/jsonpath"
)

// exprFuncs are the functions Argo adds to expr-lang's builtins in `{{=…}}`
// expressions (util/expr/env): asInt, asFloat, jsonpath, toJson, and Sprig's
// generic functions under `sprig`.
func exprFuncs() map[string]any {
	return map[string]any{
		"asInt":    exprAsInt,
		"asFloat":  exprAsFloat,
		"jsonpath": exprJSONPath,
		"toJson":   exprToJSON,
		"sprig":    sprigFuncs,
	}
}

// sprigFuncs is made once: building Sprig's map costs more than most
// expressions. Argo leaves out env and expandenv, which would read the
// environment of whoever evaluates.
var sprigFuncs = func() map[string]any {
	m := sprig.GenericFuncMap()
	delete(m, "env")
	delete(m, "expandenv")
	return m
}()

func exprAsInt(s any) (int, error) {
	var n int
	_, err := fmt.Sscan(fmt.Sprint(s), &n)
	return n, err
}

func exprAsFloat(s any) (float64, error) {
	var f float64
	_, err := fmt.Sscan(fmt.Sprint(s), &f)
	return f, err
}

func exprToJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// exprJSONPath queries a JSON document with the JSONPath library Argo uses,
// so filters, slices and wildcards give what they give in Argo.
func exprJSONPath(doc, path string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return nil, fmt.Errorf("jsonpath: the document is not JSON: %w", err)
	}
	return jsonpath.Query(path, v)
}
