package compile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// scope is what a `{{…}}` tag may refer to at one place in a template:
// Argo resolves the same names differently inside a step's arguments, a
// DAG task, an output, or a container.
type scope struct {
	l        *linter
	template *wfv1.Template
	// kind is "steps" or "tasks" inside a steps or dag template.
	kind string
	// visible returns the template of a step or task that may be
	// referenced here (nil when unknown), and whether it may.
	visible func(name string) (*wfv1.Template, bool)
	// all holds every step or task name of the template, visible or not.
	all map[string]bool
	// current is the step or task whose fields are being checked.
	current string
	loop    bool
}

func newScope(l *linter, t *wfv1.Template) *scope { return &scope{l: l, template: t} }

// globalWorkflowVars are the workflow.* variables kubectl-wf provides.
var globalWorkflowVars = []string{
	"name", "namespace", "uid", "serviceAccountName", "mainEntrypoint", "priority",
	"creationTimestamp", "scheduledTime", "parameters", "labels", "annotations",
	"status", "duration", // the exit handler's final, else the running workflow's
	"failures", // set for the exit handler
}

// siblingFields are what a step or task offers its siblings.
var siblingFields = []string{"id", "status", "exitCode", "startedAt", "finishedAt", "outputs", "ip", "hostNodeName"}

// check returns why tag cannot resolve here, or "" when it can.
func (s *scope) check(tag Tag) string {
	if tag.Expression {
		if _, err := expr.Compile(tag.Name); err != nil {
			return fmt.Sprintf("{{=%s}}: the expression does not parse: %s", tag.Name, firstLine(err.Error()))
		}
		return ""
	}
	if !isVariableName(tag.Name) {
		return ""
	}
	parts := splitVariable(tag.Name)
	at := func(i int) string {
		if i < len(parts) {
			return parts[i]
		}
		return ""
	}
	ref := "{{" + tag.Name + "}}"
	switch at(0) {
	case "inputs":
		if at(1) == "artifacts" {
			return s.checkInputArtifact(ref, parts)
		}
		if at(1) == "parameters" && at(2) != "" && !slices.ContainsFunc(s.template.Inputs.Parameters, func(p wfv1.Parameter) bool { return p.Name == at(2) }) {
			return fmt.Sprintf("%s: template %q has no input parameter %q", ref, s.template.Name, at(2))
		}
	case "pod":
		return fmt.Sprintf("not supported: %s here: a Job's pod gets its name from the Job controller, after the Job is made; kubectl-wf gives it in a container's command, args and env values, a script's source and a resource template's manifest and flags", ref)
	case "retries", "lastRetry":
		if s.template.RetryStrategy == nil && s.l.doc.Spec.RetryStrategy == nil {
			return fmt.Sprintf("%s: template %q has no retryStrategy", ref, s.template.Name)
		}
	case "outputs", "node":
	case "item":
		if !s.loop {
			return fmt.Sprintf("%s: only a step or task with withItems, withParam or withSequence has an item", ref)
		}
	case "workflow":
		if at(1) == "outputs" {
			return s.checkGlobalOutput(ref, at(2), at(3))
		}
		return s.checkWorkflow(ref, at(1), at(2))
	case "steps", "tasks":
		return s.checkSibling(ref, parts)
	default:
		return fmt.Sprintf("%s: unknown variable", ref)
	}
	return ""
}

// checkInputArtifact: an input artifact gives its path, in a template
// that places it (Argo's scope has inputs.artifacts.NAME.path there only),
// and itself in a steps or dag template, which passes it on with from.
func (s *scope) checkInputArtifact(ref string, parts []string) string {
	t := s.template
	if len(parts) < 3 {
		return fmt.Sprintf("%s: unknown variable", ref)
	}
	name := parts[2]
	if !slices.ContainsFunc(t.Inputs.Artifacts, func(a wfv1.Artifact) bool { return a.Name == name }) {
		return fmt.Sprintf("%s: template %q has no input artifact %q", ref, t.Name, name)
	}
	switch {
	case len(parts) == 3 && (len(t.Steps) > 0 || t.DAG != nil):
	case len(parts) == 3:
		return fmt.Sprintf("not supported: %s: kubectl-wf gives an input artifact itself to a steps or dag template, which passes it on with from; {{inputs.artifacts.%s.path}} is its path", ref, name)
	case len(parts) != 4 || parts[3] != "path":
		return fmt.Sprintf("%s: unknown variable; an input artifact gives {{inputs.artifacts.%s.path}}", ref, name)
	case len(t.Steps) > 0 || t.DAG != nil || t.Suspend != nil:
		return fmt.Sprintf("%s: only a container or script template places input artifacts at a path", ref)
	}
	return ""
}

func (s *scope) checkWorkflow(ref, field, name string) string {
	if !slices.Contains(globalWorkflowVars, field) {
		return fmt.Sprintf("%s: unknown workflow variable %q", ref, field)
	}
	// A WorkflowTemplate's parameters may come from whoever submits it.
	if field != "parameters" || name == "" || name == "json" || s.l.doc.Kind != wfv1.KindWorkflow {
		return ""
	}
	if !slices.ContainsFunc(s.l.doc.Spec.Arguments.Parameters, func(p wfv1.Parameter) bool { return p.Name == name }) {
		return fmt.Sprintf("%s: the workflow has no parameter %q in spec.arguments.parameters", ref, name)
	}
	return ""
}

func (s *scope) checkSibling(ref string, parts []string) string {
	kind, name := parts[0], ""
	if len(parts) > 1 {
		name = parts[1]
	}
	switch {
	case name == "name" && len(parts) == 2:
		// The name of the step or task that called this template, which
		// Argo gives it as its own variable (localParams).
		return ""
	case s.kind == "":
		return fmt.Sprintf("%s: only a steps or dag template can refer to %s", ref, kind)
	case kind != s.kind:
		return fmt.Sprintf("%s: template %q is a %s template; use {{%s.…}}", ref, s.template.Name, map[string]string{"steps": "steps", "tasks": "dag"}[s.kind], s.kind)
	}
	target, ok := s.visible(name)
	if !ok {
		if !s.all[name] {
			return fmt.Sprintf("%s: %q is not a %s of template %q", ref, name, map[string]string{"steps": "step", "tasks": "task"}[s.kind], s.template.Name)
		}
		if s.kind == "steps" {
			return fmt.Sprintf("%s: %q is not a step of an earlier group of template %q", ref, name, s.template.Name)
		}
		if s.current == "" {
			return fmt.Sprintf("%s: %q is not a task of template %q", ref, name, s.template.Name)
		}
		return fmt.Sprintf("%s: task %q is not a dependency of task %q", ref, name, s.current)
	}
	if len(parts) > 2 && !slices.Contains(siblingFields, parts[2]) {
		return fmt.Sprintf("not supported: %s: kubectl-wf gives a %s's %s", ref, strings.TrimSuffix(kind, "s"), strings.Join(siblingFields, ", "))
	}
	// Only a daemon has an IP to give (Argo's scope has steps.X.ip only then).
	if len(parts) == 3 && parts[2] == "ip" && target != nil && (target.Daemon == nil || !*target.Daemon) {
		return fmt.Sprintf("%s: template %q is not a daemon: only a daemon's pod IP is given", ref, target.Name)
	}
	// steps.X.outputs.parameters.P must be an output X's template declares.
	if len(parts) >= 5 && parts[2] == "outputs" && parts[3] == "parameters" && target != nil && len(target.Steps) == 0 && target.DAG == nil {
		if !slices.ContainsFunc(target.Outputs.Parameters, func(p wfv1.Parameter) bool { return p.Name == parts[4] }) {
			return fmt.Sprintf("%s: template %q has no output parameter %q", ref, target.Name, parts[4])
		}
	}
	// steps.X.outputs.artifacts.A likewise.
	if len(parts) >= 5 && parts[2] == "outputs" && parts[3] == "artifacts" && target != nil && len(target.Steps) == 0 && target.DAG == nil {
		if !slices.ContainsFunc(target.Outputs.Artifacts, func(a wfv1.Artifact) bool { return a.Name == parts[4] }) {
			return fmt.Sprintf("%s: template %q has no output artifact %q", ref, target.Name, parts[4])
		}
	}
	return ""
}

// splitVariable splits `steps['a-b'].outputs.result` into its names.
func splitVariable(name string) []string {
	var parts []string
	for name != "" {
		switch {
		case strings.HasPrefix(name, "['") || strings.HasPrefix(name, `["`):
			q := name[1]
			end := strings.IndexByte(name[2:], q)
			if end < 0 {
				return append(parts, name)
			}
			parts = append(parts, name[2:2+end])
			name = strings.TrimPrefix(name[2+end+1:], "]")
		case name[0] == '.':
			name = name[1:]
		default:
			end := strings.IndexAny(name, ".[")
			if end < 0 {
				return append(parts, name)
			}
			parts = append(parts, name[:end])
			name = name[end:]
		}
	}
	return parts
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
