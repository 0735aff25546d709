package compile

import (
	"maps"
	"slices"

	"github.com/expr-lang/expr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintWorkflowHooks checks spec.hooks: exit is the workflow's exit handler
// (an alternative to onExit); every other hook runs when its expression
// holds.
func (l *linter) lintWorkflowHooks() {
	hooks := l.doc.Spec.Hooks
	for _, key := range slices.Sorted(maps.Keys(hooks)) {
		hp := "spec.hooks." + key
		h := hooks[key]
		if key != "exit" {
			l.lintEventHook(hp, h)
			continue
		}
		if l.doc.Spec.OnExit != "" {
			l.errorf(hp, "give either spec.hooks.exit or spec.onExit, not both")
		}
		if h.TemplateRef != nil {
			l.errorf(hp+".templateRef", "not supported: %s.templateRef: the workflow's exit hook must name a template of the workflow", hp)
		}
		l.lintCall(hp, h.Template, nil, nil, &h.Arguments, 0)
	}
}

// lintEventHook checks a hook other than exit: Argo requires its
// expression, which must parse, and runs it once the expression holds.
func (l *linter) lintEventHook(path string, h wfv1.LifecycleHook) {
	if h.Expression == "" {
		l.errorf(path, "%s: a hook other than exit needs an expression, which says when it runs", path)
	} else if _, err := expr.Compile(h.Expression); err != nil {
		l.errorf(path+".expression", "%s.expression: the expression does not parse: %s", path, firstLine(err.Error()))
	}
	l.lintCall(path, h.Template, h.TemplateRef, nil, &h.Arguments, 0)
}
