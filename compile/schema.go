package compile

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// A schemaWalker checks a YAML node tree against the Go type it will decode
// into, field by field, and meanwhile turns it into plain JSON values. Doing
// both in one walk gives every problem a position (encoding/json and
// sigs.k8s.io/yaml report none for unknown fields) and records where each
// field path is, for later checks to point at.
type schemaWalker struct {
	file      string
	positions map[string]Pos
	diags     Diagnostics
	support   map[string]support
}

// scalarKind says what a leaf type accepts.
type scalarKind int

const (
	kindString scalarKind = iota
	kindInt
	kindFloat
	kindBool
	kindIntOrString
	kindNumberOrString // resource.Quantity
	kindAnyScalar      // wfv1.AnyString
	kindAny            // free-form: any YAML value
)

var (
	typeParallelSteps = reflect.TypeFor[wfv1.ParallelSteps]()
	typeWorkflowStep  = reflect.TypeFor[wfv1.WorkflowStep]()
	unmarshalerType   = reflect.TypeFor[json.Unmarshaler]()

	// Types that decode themselves; listed with what YAML they accept.
	leafTypes = map[reflect.Type]scalarKind{
		reflect.TypeFor[wfv1.AnyString]():       kindAnyScalar,
		reflect.TypeFor[wfv1.Item]():            kindAny,
		reflect.TypeFor[wfv1.Object]():          kindAny,
		reflect.TypeFor[wfv1.Amount]():          kindFloat,
		reflect.TypeFor[intstr.IntOrString]():   kindIntOrString,
		reflect.TypeFor[resource.Quantity]():    kindNumberOrString,
		reflect.TypeFor[metav1.Time]():          kindString,
		reflect.TypeFor[metav1.MicroTime]():     kindString,
		reflect.TypeFor[metav1.Duration]():      kindString,
		reflect.TypeFor[runtime.RawExtension](): kindAny,
		reflect.TypeFor[[]byte]():               kindString,
	}
)

// walk checks node against t and returns its JSON value. path names node in
// messages; owner is the Go type name of the struct holding the field.
func (w *schemaWalker) walk(node *kyaml.Node, t reflect.Type, path string) any {
	node = resolveAlias(node)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == kyaml.ScalarNode && node.Tag == "!!null" {
		return nil
	}
	if t == typeParallelSteps {
		return w.walkSeq(node, typeWorkflowStep, path)
	}
	if kind, ok := leafTypes[t]; ok {
		return w.scalar(node, kind, path)
	}
	if t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(unmarshalerType) {
		return w.scalar(node, kindAny, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		return w.walkStruct(node, t, path)
	case reflect.Map:
		return w.walkMap(node, t.Elem(), path)
	case reflect.Slice:
		return w.walkSeq(node, t.Elem(), path)
	case reflect.String:
		return w.scalar(node, kindString, path)
	case reflect.Bool:
		return w.scalar(node, kindBool, path)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return w.scalar(node, kindInt, path)
	case reflect.Float32, reflect.Float64:
		return w.scalar(node, kindFloat, path)
	case reflect.Interface:
		return w.scalar(node, kindAny, path)
	}
	w.errorf(node, "%s: cannot be decoded (Go type %s)", path, t)
	return nil
}

func (w *schemaWalker) walkStruct(node *kyaml.Node, t reflect.Type, path string) any {
	if node.Kind != kyaml.MappingNode {
		w.errorAt(path, node, "%s: must be a mapping, not %s", displayPath(path), kindName(node))
		return nil
	}
	fields := fieldsOf(t)
	out := make(map[string]any, len(node.Content)/2)
	forEachPair(node, func(key, value *kyaml.Node) {
		name := key.Value
		child := joinPath(path, name)
		f, ok := fields[name]
		if !ok {
			w.errorf(key, "unknown field %q in %s%s", name, displayType(t, path), suggest(name, fields))
			return
		}
		if _, dup := out[name]; dup {
			w.errorf(key, "%s: field given twice", displayPath(child))
			return
		}
		// Problems with a scalar are in its value; with a list or mapping,
		// at its key.
		if resolveAlias(value).Kind == kyaml.ScalarNode {
			w.positions[child] = posOf(w.file, value)
		} else {
			w.positions[child] = posOf(w.file, key)
		}
		if s, ok := w.support[t.Name()+"."+name]; ok && !isEmptyValue(value) {
			w.report(key, s, child)
		}
		out[name] = w.walk(value, f, child)
	})
	return out
}

func (w *schemaWalker) walkMap(node *kyaml.Node, elem reflect.Type, path string) any {
	if node.Kind != kyaml.MappingNode {
		w.errorAt(path, node, "%s: must be a mapping, not %s", displayPath(path), kindName(node))
		return nil
	}
	out := make(map[string]any, len(node.Content)/2)
	forEachPair(node, func(key, value *kyaml.Node) {
		child := joinPath(path, key.Value)
		w.positions[child] = posOf(w.file, key)
		out[key.Value] = w.walk(value, elem, child)
	})
	return out
}

func (w *schemaWalker) walkSeq(node *kyaml.Node, elem reflect.Type, path string) any {
	if elem.Kind() == reflect.Uint8 {
		return w.scalar(node, kindString, path)
	}
	if node.Kind != kyaml.SequenceNode {
		w.errorAt(path, node, "%s: must be a list, not %s", displayPath(path), kindName(node))
		return nil
	}
	out := make([]any, len(node.Content))
	for i, item := range node.Content {
		child := path + "[" + strconv.Itoa(i) + "]"
		w.positions[child] = posOf(w.file, item)
		out[i] = w.walk(item, elem, child)
	}
	return out
}

// scalar converts a leaf, checking that YAML's resolved tag fits kind.
func (w *schemaWalker) scalar(node *kyaml.Node, kind scalarKind, path string) any {
	if kind == kindAny {
		var v any
		if err := node.Decode(&v); err != nil {
			w.errorf(node, "%s: %v", displayPath(path), err)
			return nil
		}
		return jsonable(v)
	}
	if node.Kind != kyaml.ScalarNode {
		w.errorf(node, "%s: must be %s, not %s", displayPath(path), kindWant(kind), kindName(node))
		return nil
	}
	tag := node.ShortTag()
	switch {
	case tag == "!!str" && kind == kindNumberOrString:
		// A quantity is checked here, where its position is known; a
		// {{…}} tag is checked once resolved.
		if _, err := resource.ParseQuantity(node.Value); err == nil || strings.Contains(node.Value, "{{") {
			return node.Value
		}
	case tag == "!!str" && (kind == kindString || kind == kindIntOrString || kind == kindAnyScalar):
		return node.Value
	case tag == "!!int" && (kind == kindInt || kind == kindFloat || kind == kindIntOrString || kind == kindNumberOrString || kind == kindAnyScalar):
		if n, err := strconv.ParseInt(node.Value, 0, 64); err == nil {
			if kind == kindAnyScalar {
				return node.Value
			}
			return n
		}
	case tag == "!!float" && (kind == kindFloat || kind == kindNumberOrString || kind == kindAnyScalar):
		if kind == kindAnyScalar {
			return node.Value
		}
		if f, err := strconv.ParseFloat(node.Value, 64); err == nil {
			return f
		}
	case tag == "!!bool" && (kind == kindBool || kind == kindAnyScalar):
		if kind == kindAnyScalar {
			return node.Value
		}
		return node.Value == "true"
	case tag == "!!timestamp" && (kind == kindString || kind == kindAnyScalar):
		return node.Value
	}
	w.errorf(node, "%s: must be %s, not %s %q", displayPath(path), kindWant(kind), strings.TrimPrefix(tag, "!!"), node.Value)
	return nil
}

func (w *schemaWalker) errorf(node *kyaml.Node, format string, args ...any) {
	w.diags = append(w.diags, Diagnostic{Pos: posOf(w.file, node), Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// errorAt reports a problem with the field at path where that field was
// recorded (a list's or mapping's key), else at node.
func (w *schemaWalker) errorAt(path string, node *kyaml.Node, format string, args ...any) {
	pos, ok := w.positions[path]
	if !ok {
		pos = posOf(w.file, node)
	}
	w.diags = append(w.diags, Diagnostic{Pos: pos, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

func (w *schemaWalker) report(node *kyaml.Node, s support, path string) {
	w.diags = append(w.diags, Diagnostic{Pos: posOf(w.file, node), Severity: s.severity,
		Message: fmt.Sprintf("not supported: %s: %s", displayPath(path), s.reason)})
}

// fieldsOf maps the JSON names of a struct's fields, inline ones included,
// to their types; cached because the same types recur thousands of times.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range fieldsOf(ft) {
					m[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}

var fieldCache sync.Map

func forEachPair(node *kyaml.Node, fn func(key, value *kyaml.Node)) {
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		if key.Value == "<<" && key.ShortTag() == "!!merge" {
			merged := resolveAlias(value)
			if merged.Kind == kyaml.MappingNode {
				forEachPair(merged, fn)
			}
			continue
		}
		fn(key, value)
	}
}

func resolveAlias(node *kyaml.Node) *kyaml.Node {
	for node.Kind == kyaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	return node
}

func posOf(file string, node *kyaml.Node) Pos {
	return Pos{File: file, Line: node.Line, Col: node.Column}
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func displayPath(path string) string {
	if path == "" {
		return "document"
	}
	return path
}

// displayType names a struct as Argo's docs do, with where it stands.
func displayType(t reflect.Type, path string) string {
	if path == "" {
		return t.Name()
	}
	return fmt.Sprintf("%s (%s)", path, t.Name())
}

func kindName(node *kyaml.Node) string {
	switch node.Kind {
	case kyaml.MappingNode:
		return "a mapping"
	case kyaml.SequenceNode:
		return "a list"
	case kyaml.ScalarNode:
		return fmt.Sprintf("the %s %q", strings.TrimPrefix(node.ShortTag(), "!!"), node.Value)
	}
	return "empty"
}

func kindWant(k scalarKind) string {
	switch k {
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a number"
	case kindBool:
		return "true or false"
	case kindIntOrString:
		return "an integer or a string"
	case kindNumberOrString:
		return "a quantity"
	case kindAnyScalar:
		return "a string, number or boolean"
	}
	return "a string"
}

func isEmptyValue(node *kyaml.Node) bool {
	node = resolveAlias(node)
	switch node.Kind {
	case kyaml.ScalarNode:
		return node.ShortTag() == "!!null" || (node.ShortTag() == "!!bool" && node.Value == "false")
	case kyaml.MappingNode, kyaml.SequenceNode:
		return false
	}
	return true
}

// jsonable turns what yaml.v3 decodes (maps with any keys) into values
// encoding/json can write.
func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonable(e)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonable(e)
		}
		return v
	}
	return v
}

// suggest proposes the known field closest to a misspelt one.
func suggest(name string, fields map[string]reflect.Type) string {
	best, bestDist := "", 3
	for f := range fields {
		if d := editDistance(strings.ToLower(name), strings.ToLower(f)); d < bestDist || (d == bestDist && best != "" && f < best) {
			best, bestDist = f, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
