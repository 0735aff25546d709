package compile

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// A schemaWalker checks a YAML node tree against the Go type it decodes
// into, field by field, and decodes it on the way. Doing both in one walk
// gives every problem a position (encoding/json and sigs.k8s.io/yaml report
// none for unknown fields) and records where each field path is, for later
// checks to point at. Values come out as encoding/json would decode the
// document written as JSON; types that decode themselves are given that
// JSON. Decoding straight into the types, rather than through JSON, is
// most of what makes a 10,000-task file parse in a blink.
type schemaWalker struct {
	file      string
	positions *positions
	diags     Diagnostics
	support   map[string]support
	// reported counts the unsupported fields the walk is inside: below
	// one, nothing more is reported (outputs.artifacts is one error, not
	// one more for each artifact's s3).
	reported int
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
	typeAnyString     = reflect.TypeFor[wfv1.AnyString]()
	unmarshalerType   = reflect.TypeFor[json.Unmarshaler]()

	// Types that decode themselves; listed with what YAML they accept.
	leafTypes = map[reflect.Type]scalarKind{
		typeAnyString:                           kindAnyScalar,
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

// walk checks node against the type of v, a settable zero value, and
// decodes it into v. at is node's entry in w.positions (-1 for the
// document), which names it in messages.
func (w *schemaWalker) walk(node *kyaml.Node, v reflect.Value, at int) {
	node = resolveAlias(node)
	if node.Kind == kyaml.ScalarNode && node.Tag == "!!null" {
		w.null(node, v, at)
		return
	}
	for v.Kind() == reflect.Pointer {
		v.Set(reflect.New(v.Type().Elem()))
		v = v.Elem()
	}
	t := v.Type()
	if t == typeParallelSteps {
		w.walkSeq(node, v.Field(0), at)
		return
	}
	if t == typeAnyString {
		// The commonest leaf; its JSON is always a string, kept as it is.
		if s, ok := w.scalar(node, kindAnyScalar, at); ok {
			v.SetString(s.(string))
		}
		return
	}
	if kind, ok := leafTypes[t]; ok {
		w.leaf(node, v, kind, at)
		return
	}
	if t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(unmarshalerType) {
		w.leaf(node, v, kindAny, at)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		w.walkStruct(node, v, at)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			w.errorf(node, "%s: cannot be decoded (Go type %s)", w.positions.path(at), t)
			return
		}
		w.walkMap(node, v, at)
	case reflect.Slice:
		w.walkSeq(node, v, at)
	case reflect.String:
		if s, ok := w.scalar(node, kindString, at); ok {
			v.SetString(s.(string))
		}
	case reflect.Bool:
		if b, ok := w.scalar(node, kindBool, at); ok {
			v.SetBool(b.(bool))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w.integer(node, v, at)
	case reflect.Float32, reflect.Float64:
		w.leaf(node, v, kindFloat, at)
	case reflect.Interface:
		w.leaf(node, v, kindAny, at)
	default:
		w.errorf(node, "%s: cannot be decoded (Go type %s)", w.positions.path(at), t)
	}
}

// integer decodes an integer, reporting one its Go type cannot hold.
func (w *schemaWalker) integer(node *kyaml.Node, v reflect.Value, at int) {
	x, ok := w.scalar(node, kindInt, at)
	if !ok {
		return
	}
	switch n := x.(int64); {
	case v.CanInt() && !v.OverflowInt(n):
		v.SetInt(n)
	case v.CanUint() && n >= 0 && !v.OverflowUint(uint64(n)):
		v.SetUint(uint64(n))
	default:
		w.errorf(node, "%s: %d does not fit in %s", w.display(at), n, v.Type())
	}
}

// null decodes a YAML null as encoding/json decodes a JSON null: pointers,
// maps and slices stay nil, a type that decodes itself is given `null`,
// anything else keeps its zero value.
func (w *schemaWalker) null(node *kyaml.Node, v reflect.Value, at int) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return
	}
	if u, ok := v.Addr().Interface().(json.Unmarshaler); ok {
		if err := u.UnmarshalJSON([]byte("null")); err != nil {
			w.errorf(node, "%s: %v", w.display(at), err)
		}
	}
}

// leaf decodes a value through its JSON form, for types that decode
// themselves and for free-form values.
func (w *schemaWalker) leaf(node *kyaml.Node, v reflect.Value, kind scalarKind, at int) {
	value, ok := w.scalar(node, kind, at)
	if !ok {
		return
	}
	raw, err := json.Marshal(value)
	if err == nil {
		err = json.Unmarshal(raw, v.Addr().Interface())
	}
	if err != nil {
		w.errorf(node, "%s: %v", w.display(at), err)
	}
}

func (w *schemaWalker) walkStruct(node *kyaml.Node, v reflect.Value, at int) {
	t := v.Type()
	if node.Kind != kyaml.MappingNode {
		w.errorAt(at, node, "%s: must be a mapping, not %s", w.display(at), kindName(node))
		return
	}
	fields := fieldsOf(t)
	var given fieldSet
	forEachPair(node, func(key, value *kyaml.Node) {
		name := key.Value
		f, ok := fields[name]
		if !ok {
			w.errorf(key, "unknown field %q in %s%s", name, displayType(t, w.positions.path(at)), suggest(name, fields))
			return
		}
		if given.add(f.ordinal) {
			w.errorf(key, "%s: field given twice", joinPath(w.positions.path(at), name))
			return
		}
		// Problems with a scalar are in its value; with a list or mapping,
		// at its key.
		where := key
		if resolveAlias(value).Kind == kyaml.ScalarNode {
			where = value
		}
		child := w.positions.add(at, name, -1, where)
		if s, ok := w.support[f.supportKey]; ok && !isEmptyValue(value) && w.reported == 0 {
			w.report(key, s, child)
			w.reported++
			defer func() { w.reported-- }()
		}
		w.walk(value, fieldByIndex(v, f.index), child)
	})
}

func (w *schemaWalker) walkMap(node *kyaml.Node, v reflect.Value, at int) {
	if node.Kind != kyaml.MappingNode {
		w.errorAt(at, node, "%s: must be a mapping, not %s", w.display(at), kindName(node))
		return
	}
	t := v.Type()
	v.Set(reflect.MakeMapWithSize(t, len(node.Content)/2))
	forEachPair(node, func(key, value *kyaml.Node) {
		child := w.positions.add(at, key.Value, -1, key)
		elem := reflect.New(t.Elem()).Elem()
		w.walk(value, elem, child)
		v.SetMapIndex(reflect.ValueOf(key.Value).Convert(t.Key()), elem)
	})
}

func (w *schemaWalker) walkSeq(node *kyaml.Node, v reflect.Value, at int) {
	if v.Type().Elem().Kind() == reflect.Uint8 {
		w.leaf(node, v, kindString, at) // base64, as encoding/json reads bytes
		return
	}
	if node.Kind != kyaml.SequenceNode {
		w.errorAt(at, node, "%s: must be a list, not %s", w.display(at), kindName(node))
		return
	}
	// Never nil, not even empty: `withItems: []` is a loop of nothing.
	list := reflect.MakeSlice(v.Type(), len(node.Content), len(node.Content))
	for i, item := range node.Content {
		child := w.positions.add(at, "", i, item)
		w.walk(item, list.Index(i), child)
	}
	v.Set(list)
}

// scalar converts a leaf, checking that YAML's resolved tag fits kind.
func (w *schemaWalker) scalar(node *kyaml.Node, kind scalarKind, at int) (any, bool) {
	if kind == kindAny {
		var v any
		if err := node.Decode(&v); err != nil {
			w.errorf(node, "%s: %v", w.display(at), err)
			return nil, false
		}
		return jsonable(v), true
	}
	if node.Kind != kyaml.ScalarNode {
		w.errorf(node, "%s: must be %s, not %s", w.display(at), kindWant(kind), kindName(node))
		return nil, false
	}
	tag := node.ShortTag()
	switch {
	case tag == "!!str" && kind == kindNumberOrString:
		// A quantity is checked here, where its position is known; a
		// {{…}} tag is checked once resolved.
		if _, err := resource.ParseQuantity(node.Value); err == nil || strings.Contains(node.Value, "{{") {
			return node.Value, true
		}
	case tag == "!!str" && (kind == kindString || kind == kindIntOrString || kind == kindAnyScalar):
		return node.Value, true
	case tag == "!!int" && (kind == kindInt || kind == kindFloat || kind == kindIntOrString || kind == kindNumberOrString || kind == kindAnyScalar):
		if n, err := strconv.ParseInt(node.Value, 0, 64); err == nil {
			if kind == kindAnyScalar {
				return node.Value, true
			}
			return n, true
		}
	case tag == "!!float" && (kind == kindFloat || kind == kindNumberOrString || kind == kindAnyScalar):
		if kind == kindAnyScalar {
			return node.Value, true
		}
		if f, err := strconv.ParseFloat(node.Value, 64); err == nil {
			return f, true
		}
	case tag == "!!bool" && (kind == kindBool || kind == kindAnyScalar):
		if kind == kindAnyScalar {
			return node.Value, true
		}
		return node.Value == "true", true
	case tag == "!!timestamp" && (kind == kindString || kind == kindAnyScalar):
		return node.Value, true
	}
	w.errorf(node, "%s: must be %s, not %s %q", w.display(at), kindWant(kind), strings.TrimPrefix(tag, "!!"), node.Value)
	return nil, false
}

func (w *schemaWalker) errorf(node *kyaml.Node, format string, args ...any) {
	w.diags = append(w.diags, Diagnostic{Pos: posOf(w.file, node), Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// errorAt reports a problem with the field at entry at where that field
// was recorded (a list's or mapping's key), else at node.
func (w *schemaWalker) errorAt(at int, node *kyaml.Node, format string, args ...any) {
	pos := posOf(w.file, node)
	if at >= 0 {
		pos = w.positions.pos(at)
	}
	w.diags = append(w.diags, Diagnostic{Pos: pos, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

func (w *schemaWalker) report(node *kyaml.Node, s support, at int) {
	w.diags = append(w.diags, Diagnostic{Pos: posOf(w.file, node), Severity: s.severity,
		Message: fmt.Sprintf("not supported: %s: %s", w.display(at), s.reason)})
}

// display names entry at in a message.
func (w *schemaWalker) display(at int) string { return displayPath(w.positions.path(at)) }

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
