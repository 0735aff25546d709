package compile

import (
	"fmt"
	"strings"

	"github.com/Knetic/govaluate"
)

// EvalWhen evaluates a `when` condition whose tags are already resolved.
// It uses govaluate, as Argo does, and reads bare words as strings, so that
// `heads == heads` holds without quotes.
func EvalWhen(when string) (bool, error) {
	if strings.TrimSpace(when) == "" {
		return true, nil
	}
	expression, err := govaluate.NewEvaluableExpression(when)
	if err != nil {
		hint := ""
		if strings.Contains(err.Error(), "Invalid token") {
			hint = ` (hint: try wrapping the affected expression in quotes ("))`
		}
		return false, fmt.Errorf("invalid 'when' expression '%s': %v%s", when, err, hint)
	}
	tokens := expression.Tokens()
	for i := range tokens {
		if tokens[i].Kind == govaluate.VARIABLE {
			tokens[i].Kind = govaluate.STRING
		}
	}
	expression, err = govaluate.NewEvaluableExpressionFromTokens(tokens)
	if err != nil {
		return false, fmt.Errorf("invalid 'when' expression '%s': %v", when, err)
	}
	result, err := expression.Evaluate(nil)
	if err != nil {
		return false, fmt.Errorf("evaluating 'when' expression '%s': %v", when, err)
	}
	b, ok := result.(bool)
	if !ok {
		return false, fmt.Errorf("expected boolean evaluation for '%s', got %v", when, result)
	}
	return b, nil
}
