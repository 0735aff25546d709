package compile

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/expr-lang/expr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Vars are the values `{{…}}` tags resolve to, by their full name
// (`inputs.parameters.message`). As in Argo, every value is a string.
type Vars map[string]string

// With returns a copy of v with more values, later ones winning. The copy
// is sized for all of them at once: a map grown by a few entries past its
// size is rehashed whole, which on a wide workflow's every node was more
// than the copy itself.
func (v Vars) With(more ...Vars) Vars {
	n := len(v)
	for _, m := range more {
		n += len(m)
	}
	out := make(Vars, n)
	for k, x := range v {
		out[k] = x
	}
	for _, m := range more {
		for k, x := range m {
			out[k] = x
		}
	}
	return out
}

// Resolve substitutes the tags of s that v can resolve, simple ones by name
// and `{{=…}}` expressions by evaluating them with expr-lang. It returns the
// names of variable tags it could not resolve, absent outputs included.
func (v Vars) Resolve(s string) (string, []string) {
	var missing []string
	out := Replace(s, func(t Tag) (string, bool) {
		if t.Expression {
			val, err := v.Eval(t.Name)
			if err != nil {
				missing = append(missing, "="+t.Name)
				return "", false
			}
			return val, true
		}
		if val, ok := v[t.Name]; ok && val != absent {
			return val, true
		}
		if isVariableName(t.Name) {
			missing = append(missing, t.Name)
		}
		return "", false
	})
	return out, missing
}

// Eval evaluates an Argo expression: strings are inserted as they are,
// anything else as JSON, as Argo's expression tags do. A nil result (an
// absent output not caught with `??`, a missing key) fails, as in Argo.
func (v Vars) Eval(src string) (string, error) {
	env := v.exprEnv()
	program, err := expr.Compile(src, expr.Env(env))
	if err != nil {
		return "", err
	}
	out, err := expr.Run(program, env)
	if err != nil {
		return "", err
	}
	if out == nil {
		return "", nilResultError{src}
	}
	if s, ok := out.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("expression result: %w", err)
	}
	return string(b), nil
}

// nilResultError is Eval's error for an expression that gives nil.
type nilResultError struct{ src string }

func (e nilResultError) Error() string { return fmt.Sprintf("the expression %q gives nil", e.src) }

// exprEnv nests flat names (`a.b.c`) into maps, as Argo's expand does, and
// adds Argo's helper functions. A name that is also the parent of others
// (`workflow.parameters` and `workflow.parameters.x`) keeps the children.
// Absent outputs are nil, so that `??` can replace them.
func (v Vars) exprEnv() map[string]any {
	env := exprFuncs()
	for name, s := range v {
		if strings.HasPrefix(name, "\x00") {
			continue // passed between steps of kubectl-wf, no variable
		}
		var val any = s
		if s == absent {
			val = nil
		}
		parts := strings.Split(name, ".")
		m := env
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		if _, isParent := m[parts[len(parts)-1]].(map[string]any); !isParent {
			m[parts[len(parts)-1]] = val
		}
	}
	return env
}

// ParametersJSON renders parameters as Argo's `inputs.parameters` and
// `workflow.parameters` JSON values: a list of {name, value}.
func ParametersJSON(ps []wfv1.Parameter) string {
	type param struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	list := make([]param, 0, len(ps))
	for _, p := range ps {
		if p.Value != nil {
			list = append(list, param{p.Name, p.Value.String()})
		}
	}
	if len(list) == 0 {
		return "[]" // what Marshal gives, without its cost for each node
	}
	b, _ := json.Marshal(list)
	return string(b)
}
