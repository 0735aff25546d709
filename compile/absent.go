package compile

import "strings"

// absent is the value of an output a Skipped or Omitted node never
// produced and whose template declares no default: Argo's "absent
// optional", which is not "". A simple tag naming it does not resolve; an
// expression sees nil. No text a user can write contains a NUL.
const absent = "\x00absent"

// SetAbsent records name as an absent output.
func (v Vars) SetAbsent(name string) { v[name] = absent }

// AbsentRef reports whether s is exactly one simple tag naming an absent
// output, such as an argument `{{tasks.a.outputs.parameters.p}}`: Argo
// then passes no argument, so the input's own default applies.
func (v Vars) AbsentRef(s string) bool {
	if !strings.HasPrefix(s, "{{") || !strings.HasSuffix(s, "}}") {
		return false
	}
	name := strings.TrimSpace(s[2 : len(s)-2])
	return !strings.Contains(name, "{{") && !strings.Contains(name, "}}") && v[name] == absent
}
