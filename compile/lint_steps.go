package compile

import (
	"fmt"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintSteps checks a steps template: unique step names, calls, and that a
// step refers only to steps of earlier groups, which have ended by then.
func (l *linter) lintSteps(i int) {
	t := &l.doc.Spec.Templates[i]
	path := fmt.Sprintf("spec.templates[%d]", i)
	seen := map[string]string{}
	visible := map[string]*wfv1.Template{}
	all := map[string]bool{}
	for _, name := range stepNames(t) {
		all[name] = true
	}
	for g, group := range t.Steps {
		if len(group.Steps) == 0 {
			l.errorf(fmt.Sprintf("%s.steps[%d]", path, g), "step group %d of template %q is empty", g, t.Name)
		}
		for k := range group.Steps {
			step := &group.Steps[k]
			sp := fmt.Sprintf("%s.steps[%d][%d]", path, g, k)
			switch {
			case step.Name == "":
				l.errorf(sp, "step has no name")
			case seen[step.Name] != "":
				l.errorf(sp+".name", "step name %q is used twice in template %q", step.Name, t.Name)
			case !templateNamePattern.MatchString(step.Name):
				l.errorf(sp+".name", "step name %q must be letters, digits and '-', starting with a letter or digit", step.Name)
			}
			seen[step.Name] = sp
			l.lintCall(sp, step.Template, step.TemplateRef, step.Inline, &step.Arguments, loopCount(step.WithItems, step.WithParam, step.WithSequence))
			l.lintExitHook(sp, step.Hooks, step.OnExit)
			sc := &scope{l: l, template: t, kind: "steps", visible: lookupIn(visible), all: all, current: step.Name,
				loop: loopCount(step.WithItems, step.WithParam, step.WithSequence) > 0}
			l.lintStepTags(sp, step, sc)
		}
		// Steps of this group become visible to the next groups only.
		for k := range group.Steps {
			visible[group.Steps[k].Name] = l.templateOf(group.Steps[k].Template)
		}
	}
	l.lintTags(path+".outputs", &t.Outputs, &scope{l: l, template: t, kind: "steps", visible: lookupIn(visible), all: all})
}

// templateOf returns the template named name, or nil.
func (l *linter) templateOf(name string) *wfv1.Template {
	if i, ok := l.templates[name]; ok {
		return &l.doc.Spec.Templates[i]
	}
	return nil
}

// lookupIn returns a scope lookup over a fixed set of steps or tasks.
func lookupIn(m map[string]*wfv1.Template) func(string) (*wfv1.Template, bool) {
	return func(name string) (*wfv1.Template, bool) {
		t, ok := m[name]
		return t, ok
	}
}

// lintStepTags checks the tags of a step, whose exit hook may also refer to
// the step itself: it runs once the step has ended.
func (l *linter) lintStepTags(path string, step *wfv1.WorkflowStep, sc *scope) {
	plain := *step
	plain.Hooks = nil
	l.lintTags(path, &plain, sc)
	l.lintHookTags(path, step.Hooks, step.Name, step.Template, sc)
}

// lintHookTags checks the tags of a step's or task's hooks, with the step
// or task itself visible.
func (l *linter) lintHookTags(path string, hooks wfv1.LifecycleHooks, self, template string, sc *scope) {
	if len(hooks) == 0 {
		return
	}
	hsc := *sc
	visible := sc.visible
	hsc.visible = func(name string) (*wfv1.Template, bool) {
		if name == self {
			return l.templateOf(template), true
		}
		return visible(name)
	}
	l.lintTags(path+".hooks", hooks, &hsc)
}
