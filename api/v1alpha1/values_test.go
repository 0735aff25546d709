package v1alpha1

import (
	"bytes"
	"encoding/json"
	"maps"
	"sort"
	"strings"
	"testing"
)

// TestItemScalarsRenderAsDecoded: the items rendered without decoding
// (plain strings and numbers) render as the decoding path renders them.
func TestItemScalarsRenderAsDecoded(t *testing.T) {
	for _, raw := range []string{`"0"`, `"hello world"`, `""`, `"a\"b"`, `"tab\there"`, `"é"`, `"\u00e9"`,
		"\"bad\x01\"", `0`, `4999`, `-1.5e3`, `1-2`, `"`, `"x`, `true`, `null`, `{"a":1}`, `[1, "b"]`, `" spaced "`} {
		item := ItemFromJSON([]byte(raw))
		if got, want := item.String(), decodedString(raw); got != want {
			t.Errorf("%s: String() = %q, want %q", raw, got, want)
		}
		if got, want := item.NodeLabel(), decodedNodeLabel(raw); got != want {
			t.Errorf("%s: NodeLabel() = %q, want %q", raw, got, want)
		}
		if got, want := item.Fields(), decodedFields(raw); !maps.Equal(got, want) || (got == nil) != (want == nil) {
			t.Errorf("%s: Fields() = %v, want %v", raw, got, want)
		}
	}
}

// The decoding paths, as String, NodeLabel and Fields were before scalar.
func decodedString(raw string) string {
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err == nil {
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(raw)); err != nil {
		return raw
	}
	return buf.String()
}

func decodedFields(raw string) map[string]string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = decodedString(string(v))
	}
	return out
}

func decodedNodeLabel(raw string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err == nil && m != nil {
		var pairs []string
		for k, v := range m {
			pairs = append(pairs, k+":"+decodedString(string(v)))
		}
		sort.Strings(pairs)
		return strings.Join(pairs, ",")
	}
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &list); err == nil {
		parts := make([]string, len(list))
		for k, v := range list {
			parts[k] = decodedString(string(v))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return decodedString(raw)
}
