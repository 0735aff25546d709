package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AnyString is a string that YAML may spell as a number or a boolean, as
// Argo allows for parameter values: `value: 3` and `value: "3"` are the same.
type AnyString string

// ParseAnyString returns a pointer to s, for literals.
func ParseAnyString(s string) *AnyString { a := AnyString(s); return &a }

// String returns the value.
func (a AnyString) String() string { return string(a) }

// UnmarshalJSON accepts a JSON string, number or boolean.
func (a *AnyString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*a = AnyString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*a = AnyString(n.String())
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err == nil {
		*a = AnyString(strconv.FormatBool(v))
		return nil
	}
	return fmt.Errorf("must be a string, number or boolean, not %s", b)
}

// MarshalJSON always writes a string.
func (a AnyString) MarshalJSON() ([]byte, error) { return json.Marshal(string(a)) }

// Item is one value of withItems: any JSON value.
type Item struct {
	raw json.RawMessage
}

// ItemFromJSON wraps a JSON value.
func ItemFromJSON(b []byte) Item { return Item{raw: append(json.RawMessage(nil), b...)} }

// UnmarshalJSON keeps the value as given.
func (i *Item) UnmarshalJSON(b []byte) error {
	i.raw = append(i.raw[:0], b...)
	return nil
}

// MarshalJSON writes the value back.
func (i Item) MarshalJSON() ([]byte, error) {
	if len(i.raw) == 0 {
		return []byte("null"), nil
	}
	return i.raw, nil
}

// JSON returns the item's JSON encoding.
func (i Item) JSON() []byte { return i.raw }

// String renders the item as Argo substitutes {{item}}: strings bare,
// numbers and booleans as written, maps and lists as compact JSON.
func (i Item) String() string {
	if s, ok := i.scalar(); ok {
		return s
	}
	var s string
	if err := json.Unmarshal(i.raw, &s); err == nil {
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, i.raw); err != nil {
		return string(i.raw)
	}
	return buf.String()
}

// Fields returns a map item's fields, rendered as String renders them; nil
// for any other kind of item.
func (i Item) Fields() map[string]string {
	if _, ok := i.scalar(); ok {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(i.raw, &m); err != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = Item{raw: v}.String()
	}
	return out
}

// scalar renders, without decoding, the items that need none (a loop's
// items are rendered on every evaluation): a JSON string with no escape
// and no byte that decoding would replace is its content, and a number
// is its text, which the decoding path returns as well.
func (i Item) scalar() (string, bool) {
	r := i.raw
	if len(r) == 0 {
		return "", false
	}
	if r[0] != '"' {
		for _, c := range r {
			if !strings.ContainsRune("0123456789+-.eE", rune(c)) {
				return "", false
			}
		}
		return string(r), true
	}
	if len(r) < 2 || r[len(r)-1] != '"' {
		return "", false
	}
	body := r[1 : len(r)-1]
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return "", false
		}
	}
	return string(body), true
}

// Object is a free-form JSON object kept verbatim.
type Object struct {
	Value json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the object as given.
func (o *Object) UnmarshalJSON(b []byte) error {
	o.Value = append(o.Value[:0], b...)
	return nil
}

// MarshalJSON writes the object back.
func (o Object) MarshalJSON() ([]byte, error) {
	if len(o.Value) == 0 {
		return []byte("{}"), nil
	}
	return o.Value, nil
}

// Amount is a number kept as written, for metric buckets.
type Amount struct {
	Value json.Number `json:"-"`
}

// UnmarshalJSON reads a number.
func (a *Amount) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &a.Value) }

// MarshalJSON writes the number.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(a.Value) }

// UnmarshalJSON reads a group of steps from a JSON list.
func (p *ParallelSteps) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &p.Steps) }

// MarshalJSON writes a group of steps as a JSON list.
func (p ParallelSteps) MarshalJSON() ([]byte, error) { return json.Marshal(p.Steps) }

// NodeLabel is how the item appears in its node's name, as Argo writes it:
// scalars as they are, a map as its sorted key:value pairs joined by
// commas, a list as Go prints a slice.
func (i Item) NodeLabel() string {
	if s, ok := i.scalar(); ok {
		return s
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(i.raw, &m); err == nil && m != nil {
		pairs := make([]string, 0, len(m))
		for k, v := range m {
			pairs = append(pairs, k+":"+Item{raw: v}.String())
		}
		sort.Strings(pairs)
		return strings.Join(pairs, ",")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(i.raw, &list); err == nil {
		parts := make([]string, len(list))
		for k, v := range list {
			parts[k] = Item{raw: v}.String()
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return i.String()
}
