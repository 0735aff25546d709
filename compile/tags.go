package compile

import (
	"strings"
)

// Tag is one `{{…}}` template tag in a string.
type Tag struct {
	// Start and End are byte offsets of the whole tag, braces included.
	Start, End int
	// Name is the trimmed content: a variable name, or an expression
	// after `=` when Expression is set.
	Name       string
	Expression bool
}

// Tags finds the `{{…}}` tags of s, in order. Argo tolerates spaces inside
// the braces; an unclosed `{{` is text.
func Tags(s string) []Tag {
	var tags []Tag
	for t, ok := nextTag(s, 0); ok; t, ok = nextTag(s, t.End) {
		tags = append(tags, t)
	}
	return tags
}

// nextTag finds the first tag of s that starts at off or later.
func nextTag(s string, off int) (Tag, bool) {
	i := strings.Index(s[off:], "{{")
	if i < 0 {
		return Tag{}, false
	}
	start := off + i
	j := strings.Index(s[start+2:], "}}")
	if j < 0 {
		return Tag{}, false
	}
	end := start + 2 + j + 2
	content := strings.TrimSpace(s[start+2 : end-2])
	tag := Tag{Start: start, End: end, Name: content}
	if rest, ok := strings.CutPrefix(content, "="); ok {
		tag.Name, tag.Expression = strings.TrimSpace(rest), true
	}
	return tag, true
}

// Replace substitutes each tag of s for which value returns true. Tags it
// does not resolve stay as they are, as Argo leaves them for a later pass.
// Substitution happens in one string value at a time, never in serialized
// YAML or JSON, so a value can never change the structure around it.
func Replace(s string, value func(Tag) (string, bool)) string {
	var b strings.Builder
	last := 0
	for t, ok := nextTag(s, 0); ok; t, ok = nextTag(s, t.End) {
		v, resolved := value(t)
		if !resolved {
			continue
		}
		b.WriteString(s[last:t.Start])
		b.WriteString(v)
		last = t.End
	}
	if last == 0 {
		return s // nothing resolved
	}
	b.WriteString(s[last:])
	return b.String()
}

// isVariableName reports whether a tag's content has the shape of a
// variable reference (`a.b-c.d['e']`), as opposed to text that merely
// contains braces, such as a Go or Helm template inside a script.
func isVariableName(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_' || c == '-' || c == '.' || c == '[' || c == ']' || c == '\'' || c == '"':
		default:
			return false
		}
	}
	return true
}
