package compile

import (
	"reflect"
	"strconv"
	"strings"
)

// visitStrings calls fn with a pointer to every string field, list element
// and map value inside v (a pointer to a struct), and a function that
// returns its path (`spec.templates[0].name`). It is how both lint
// (reading) and substitution (writing) see every string a user wrote,
// field by field. Paths are built only when asked for: most strings have
// no tag, and building every path was a third of a big workflow's lint.
func visitStrings(v reflect.Value, root string, fn func(path func() string, s *string)) {
	w := &stringWalker{fn: fn}
	if root != "" {
		w.segs = append(w.segs, "."+root)
	}
	w.walk(v)
}

type stringWalker struct {
	segs []string // ".field" or "[index]"
	fn   func(path func() string, s *string)
}

func (w *stringWalker) path() string {
	return strings.TrimPrefix(strings.Join(w.segs, ""), ".")
}

func (w *stringWalker) push(seg string, v reflect.Value) {
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
		if v.CanSet() {
			s := v.String()
			w.fn(w.path, &s)
			if s != v.String() {
				v.SetString(s)
			}
		}
	case reflect.Struct:
		t := v.Type()
		if t == typeParallelSteps {
			w.walk(v.Field(0))
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
			case name == "" && (f.Anonymous || strings.Contains(opts, "inline")):
				w.walk(v.Field(i))
			default:
				if name == "" {
					name = f.Name
				}
				if fv := v.Field(i); !fv.IsZero() {
					w.push("."+name, fv)
				}
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			w.push("["+strconv.Itoa(i)+"]", v.Index(i))
		}
	case reflect.Map:
		strs := v.Type().Elem().Kind() == reflect.String
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			orig := ""
			if strs {
				orig = e.String()
			}
			w.push("."+k.String(), e)
			if !strs || e.String() != orig {
				v.SetMapIndex(k, e)
			}
		}
	}
}
