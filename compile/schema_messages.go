package compile

import (
	"fmt"
	"reflect"
	"strings"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

func displayPath(path string) string {
	if path == "" {
		return "document"
	}
	return path
}

// displayType names a struct as Argo's docs do, with where it stands.
func displayType(t reflect.Type, path string) string {
	if path == "" {
		return t.Name()
	}
	return fmt.Sprintf("%s (%s)", path, t.Name())
}

func kindName(node *kyaml.Node) string {
	switch node.Kind {
	case kyaml.MappingNode:
		return "a mapping"
	case kyaml.SequenceNode:
		return "a list"
	case kyaml.ScalarNode:
		return fmt.Sprintf("the %s %q", strings.TrimPrefix(node.ShortTag(), "!!"), node.Value)
	}
	return "empty"
}

func kindWant(k scalarKind) string {
	switch k {
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a number"
	case kindBool:
		return "true or false"
	case kindIntOrString:
		return "an integer or a string"
	case kindNumberOrString:
		return "a quantity"
	case kindAnyScalar:
		return "a string, number or boolean"
	}
	return "a string"
}

// suggest proposes the known field closest to a misspelt one.
func suggest[V any](name string, fields map[string]V) string {
	best, bestDist := "", 3
	for f := range fields {
		if d := editDistance(strings.ToLower(name), strings.ToLower(f)); d < bestDist || (d == bestDist && best != "" && f < best) {
			best, bestDist = f, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
