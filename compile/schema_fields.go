package compile

import (
	"reflect"
	"strings"
	"sync"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// schemaField is a struct field as encoding/json decodes it.
type schemaField struct {
	// index leads to the field through inline (embedded) structs.
	index []int
	// ordinal numbers the fields of one struct, for fieldSet.
	ordinal int
	// supportKey is the field's key in the support table.
	supportKey string
}

// fieldsOf maps the JSON names of a struct's fields, inline ones included,
// to where they are; cached because the same types recur thousands of times.
func fieldsOf(t reflect.Type) map[string]schemaField {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]schemaField)
	}
	m := map[string]schemaField{}
	addFields(m, t, t.Name(), nil)
	fieldCache.Store(t, m)
	return m
}

var fieldCache sync.Map

func addFields(m map[string]schemaField, t reflect.Type, owner string, parent []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		index := append(parent[:len(parent):len(parent)], i)
		if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(m, ft, owner, index)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		ordinal := len(m)
		if old, ok := m[name]; ok {
			ordinal = old.ordinal
		}
		m[name] = schemaField{index: index, ordinal: ordinal, supportKey: owner + "." + name}
	}
}

// fieldByIndex returns the field of struct v at index, allocating the
// inline structs it is reached through, as encoding/json does.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// fieldSet records which fields of one mapping were given.
type fieldSet struct {
	small uint64
	big   map[int]bool // ordinals from 64 up
}

// add records ordinal and reports whether it was there already.
func (s *fieldSet) add(ordinal int) bool {
	if ordinal < 64 {
		bit := uint64(1) << ordinal
		dup := s.small&bit != 0
		s.small |= bit
		return dup
	}
	if s.big == nil {
		s.big = map[int]bool{}
	}
	dup := s.big[ordinal]
	s.big[ordinal] = true
	return dup
}

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
