package compile

import (
	"fmt"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// InlinePrefix starts the name given to a step's or task's inline
// template once it is moved among the workflow's templates. No template of
// the workflow can have such a name (names are letters, digits and '-'),
// and Argo names neither the node's template nor its pod after an inline
// template: JobName and `get` leave it out.
const InlinePrefix = "inline:"

// IsInline reports whether a template name is that of an inline template.
func IsInline(template string) bool { return strings.HasPrefix(template, InlinePrefix) }

// hoistInline moves every inline template of a freshly parsed document
// among its templates, named "inline:TEMPLATE.STEP", and points the step
// or task at it, so that lint, the planner and the driver see a template
// like any other. Positions of the moved template still point into the
// step: lint's errors in it land where the user wrote it.
func hoistInline(doc *Document) {
	spec := &doc.Spec
	doc.firstHoisted = len(spec.Templates)
	// The list grows as it is walked: an inline template may hold steps
	// with inline templates of their own.
	for i := 0; i < len(spec.Templates); i++ {
		t := &spec.Templates[i]
		path := doc.templatePath(i)
		for g := range t.Steps {
			for j := range t.Steps[g].Steps {
				s := &t.Steps[g].Steps[j]
				if s.Inline != nil {
					doc.hoist(&s.Template, &s.Inline, t.Name+"."+s.Name, fmt.Sprintf("%s.steps[%d][%d].inline", path, g, j))
					t = &spec.Templates[i] // hoist appends: t may have moved
				}
			}
		}
		if t.DAG != nil {
			for j := range t.DAG.Tasks {
				task := &t.DAG.Tasks[j]
				if task.Inline != nil {
					doc.hoist(&task.Template, &task.Inline, t.Name+"."+task.Name, fmt.Sprintf("%s.dag.tasks[%d].inline", path, j))
					t = &spec.Templates[i]
				}
			}
		}
	}
}

// hoist appends *inline to the templates under name and points *template
// at it; path is where it was written.
func (d *Document) hoist(template *string, inline **wfv1.Template, name, path string) {
	name = InlinePrefix + strings.TrimPrefix(name, InlinePrefix)
	if *template != "" {
		return // both given: lint reports it at the step
	}
	t := **inline
	t.Name = name
	*template, *inline = name, nil
	if d.inlinePaths == nil {
		d.inlinePaths = map[int]string{}
	}
	d.inlinePaths[len(d.Spec.Templates)] = path
	d.Spec.Templates = append(d.Spec.Templates, t)
}

// templatePath is where template i was written: spec.templates[i], or the
// inline field it was moved from.
func (d *Document) templatePath(i int) string {
	if p, ok := d.inlinePaths[i]; ok {
		return p
	}
	return fmt.Sprintf("spec.templates[%d]", i)
}

// sourcePath maps a path into a moved inline template back to where it
// was written.
func (d *Document) sourcePath(path string) string {
	if len(d.inlinePaths) == 0 || !strings.HasPrefix(path, "spec.templates[") {
		return path
	}
	end := strings.IndexByte(path, ']')
	i, err := parseIndex(path[len("spec.templates["):end])
	if err != nil {
		return path
	}
	if p, ok := d.inlinePaths[i]; ok {
		return d.sourcePath(p + path[end+1:])
	}
	return path
}

func parseIndex(s string) (int, error) {
	var i int
	_, err := fmt.Sscanf(s, "%d", &i)
	return i, err
}
