package compile

import (
	"reflect"
	"strconv"
	"strings"
)

// visitStrings calls fn with the path and a pointer to every string field,
// list element and map value inside v (a pointer to a struct). It is how
// both lint (reading) and substitution (writing) see every string a user
// wrote, field by field. Map values are not addressable, so fn's changes to
// them are written back after the call.
func visitStrings(v reflect.Value, path string, fn func(path string, s *string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			visitStrings(v.Elem(), path, fn)
		}
	case reflect.String:
		if v.CanSet() {
			s := v.String()
			fn(path, &s)
			if s != v.String() {
				v.SetString(s)
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
			case name == "" && (f.Anonymous || strings.Contains(opts, "inline")):
				visitStrings(v.Field(i), path, fn)
			default:
				if name == "" {
					name = f.Name
				}
				visitStrings(v.Field(i), joinPath(path, name), fn)
			}
		}
		if t == typeParallelSteps {
			visitStrings(v.Field(0), path, fn)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			visitStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", fn)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() != reflect.String || v.Type().Key().Kind() != reflect.String {
			for _, k := range v.MapKeys() {
				e := reflect.New(v.Type().Elem()).Elem()
				e.Set(v.MapIndex(k))
				visitStrings(e, joinPath(path, k.String()), fn)
				v.SetMapIndex(k, e)
			}
			return
		}
		for _, k := range v.MapKeys() {
			s := v.MapIndex(k).String()
			orig := s
			fn(joinPath(path, k.String()), &s)
			if s != orig {
				v.SetMapIndex(k, reflect.ValueOf(s).Convert(v.Type().Elem()))
			}
		}
	}
}
