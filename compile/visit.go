package compile

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// visitStrings calls fn with every non-empty string field, list element
// and map value inside v (a pointer to a struct), and a function that
// returns its path (`spec.templates[0].name`). It is how lint sees every
// string a user wrote, field by field; substitute sees the same ones and
// is the only writer. *s is a copy: what fn writes there is not kept.
// Paths are built only when asked for: most strings have no tag, and
// building every path was a third of a big workflow's lint.
func visitStrings(v reflect.Value, root string, fn func(path func() string, s *string)) {
	w := &stringWalker{fn: fn}
	w.segs, w.pathFn = w.buf[:0], w.path
	if root != "" {
		w.segs = append(w.segs, pathSeg{name: root, index: -1})
	}
	w.walk(v)
}

// pathSeg is a field name or map key, or a list index when index >= 0.
type pathSeg struct {
	name  string
	index int
}

type stringWalker struct {
	buf    [8]pathSeg // segs' first backing array, allocated with the walker
	segs   []pathSeg
	fn     func(path func() string, s *string)
	pathFn func() string // w.path, bound once rather than for every string
	s      string        // the string fn is shown
}

func (w *stringWalker) path() string {
	var b strings.Builder
	for _, s := range w.segs {
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
	}
	return b.String()
}

func (w *stringWalker) push(seg pathSeg, v reflect.Value) {
	w.segs = append(w.segs, seg)
	w.walk(v)
	w.segs = w.segs[:len(w.segs)-1]
}

func (w *stringWalker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem())
		}
	case reflect.String:
		if w.s = v.String(); w.s != "" {
			w.fn(w.pathFn, &w.s)
		}
	case reflect.Struct:
		for _, f := range stringFields(v.Type()) {
			switch fv := v.Field(f.index); {
			case isEmpty(fv):
			case f.name == "":
				w.walk(fv)
			default:
				w.push(pathSeg{name: f.name, index: -1}, fv)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			w.push(pathSeg{index: i}, v.Index(i))
		}
	case reflect.Map:
		for iter := v.MapRange(); iter.Next(); {
			w.push(pathSeg{name: iter.Key().String(), index: -1}, iter.Value())
		}
	}
}

// stringField is a struct field that may hold a string a user wrote.
type stringField struct {
	index int
	// name is the field's JSON name; "" when its own fields are its
	// parent's (inline), or for a ParallelSteps' list.
	name string
}

// stringFields lists the exported, JSON-visible fields of a struct that
// can hold a string; cached, as the same types recur thousands of times.
func stringFields(t reflect.Type) []stringField {
	if fs, ok := stringFieldCache.Load(t); ok {
		return fs.([]stringField)
	}
	var fs []stringField
	if t == typeParallelSteps {
		fs = []stringField{{index: 0}} // the steps, with no name of their own in YAML
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || name == "-" || !mayHoldString(f.Type):
		case name == "" && (f.Anonymous || strings.Contains(opts, "inline")):
			fs = append(fs, stringField{index: i})
		case name == "":
			fs = append(fs, stringField{index: i, name: f.Name})
		default:
			fs = append(fs, stringField{index: i, name: name})
		}
	}
	stringFieldCache.Store(t, fs)
	return fs
}

var stringFieldCache sync.Map

// mayHoldString is false for numbers and booleans, which hold no text.
func mayHoldString(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	}
	return true
}

// isEmpty is true of a value that holds no string, cheaply told.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}
