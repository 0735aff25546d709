package compile

import (
	"reflect"
	"strings"
)

// substitute returns *in with the tags that vars resolve substituted in
// every string visitStrings sees, and the names it could not resolve.
// Only what changes is copied: the result shares everything else with in
// (it is in itself when nothing changed), so neither may be modified
// afterwards. (Deep-copying each instance through JSON was a fifth of
// compiling a big DAG.)
func substitute[T any](in *T, vars Vars) (*T, []string) {
	return substituteTags(in, tagsOf(reflect.ValueOf(in).Elem()), vars)
}

// substituteTags is substitute with in's tag tree worked out already, as
// for the many instances of one template.
func substituteTags[T any](in *T, tags *tagTree, vars Vars) (*T, []string) {
	if tags == nil {
		return in, nil
	}
	s := &substituter{vars: vars}
	v, changed := s.apply(reflect.ValueOf(in).Elem(), tags)
	if !changed {
		return in, s.missing
	}
	return v.Addr().Interface().(*T), s.missing
}

// A tagTree is the part of a value that leads to strings with tags: all
// that substitution visits.
type tagTree struct {
	children []tagChild // none for the string itself
}

type tagChild struct {
	index int           // of a struct field or list item
	key   reflect.Value // of a map entry
	tree  *tagTree
}

var tagString = &tagTree{}

// tagsOf returns the tag tree of v, or nil when v holds no tag.
func tagsOf(v reflect.Value) *tagTree {
	var t *tagTree
	add := func(c tagChild) {
		if c.tree != nil {
			if t == nil {
				t = &tagTree{}
			}
			t.children = append(t.children, c)
		}
	}
	switch v.Kind() {
	case reflect.String:
		if strings.Contains(v.String(), "{{") {
			return tagString
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return tagsOf(v.Elem())
		}
	case reflect.Struct:
		for _, f := range stringFields(v.Type()) {
			if fv := v.Field(f.index); !isEmpty(fv) {
				add(tagChild{index: f.index, tree: tagsOf(fv)})
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			for i := range v.Len() {
				add(tagChild{index: i, tree: tagsOf(v.Index(i))})
			}
		}
	case reflect.Map:
		for iter := v.MapRange(); iter.Next(); {
			add(tagChild{key: iter.Key(), tree: tagsOf(iter.Value())})
		}
	}
	return t
}

type substituter struct {
	vars    Vars
	missing []string
}

// apply returns v with the tags under t resolved, and whether that
// changed it; a changed value is a new one, v is never written.
func (s *substituter) apply(v reflect.Value, t *tagTree) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		str := v.String()
		res, missing := s.vars.Resolve(str)
		s.missing = append(s.missing, missing...)
		if res == str {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(res)
		return out, true
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, changed := s.apply(v.Elem(), t)
		if !changed {
			return v, false
		}
		if v.Kind() == reflect.Pointer && e.CanAddr() {
			return e.Addr(), true
		}
		out := reflect.New(v.Type()).Elem()
		if v.Kind() == reflect.Pointer {
			out = reflect.New(e.Type())
			out.Elem().Set(e)
			return out, true
		}
		out.Set(e)
		return out, true
	}
	var out reflect.Value // v's copy, made at the first change
	for _, c := range t.children {
		var e reflect.Value
		switch v.Kind() {
		case reflect.Struct:
			e = v.Field(c.index)
		case reflect.Slice:
			e = v.Index(c.index)
		case reflect.Map:
			e = v.MapIndex(c.key)
		}
		e, changed := s.apply(e, c.tree)
		if !changed {
			continue
		}
		if !out.IsValid() {
			out = shallowCopy(v)
		}
		switch v.Kind() {
		case reflect.Struct:
			out.Field(c.index).Set(e)
		case reflect.Slice:
			out.Index(c.index).Set(e)
		case reflect.Map:
			out.SetMapIndex(c.key, e)
		}
	}
	return out, out.IsValid()
}

// shallowCopy returns an addressable copy of a struct, slice or map whose
// elements are v's.
func shallowCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(out, v)
		return out
	case reflect.Map:
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for iter := v.MapRange(); iter.Next(); {
			out.SetMapIndex(iter.Key(), iter.Value())
		}
		return out
	}
	out := reflect.New(v.Type()).Elem()
	out.Set(v)
	return out
}
