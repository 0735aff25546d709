package compile

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Argo's rules for names (workflow_types.go: template name pattern).
var templateNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`)

const maxTemplateNameLength = 128

// Lint checks the meaning of parsed documents: references between
// templates, steps and tasks, DAG shape, variables and required values.
// Problems in the YAML's shape and unsupported fields were already
// reported by ParseFile.
func Lint(docs []*Document) Diagnostics {
	var diags Diagnostics
	stored := map[refKey]*Document{}
	for _, doc := range docs {
		if doc.Kind != wfv1.KindWorkflow && doc.Metadata.Name != "" {
			stored[refKey{cluster: doc.Kind == wfv1.KindClusterWorkflowTemplate, name: doc.Metadata.Name}] = doc
		}
	}
	for _, doc := range docs {
		doc, err := doc.withTemplateDefaults()
		if err != nil {
			diags = append(diags, Diagnostic{Pos: doc.Pos("spec.templateDefaults"), Severity: Error, Message: err.Error()})
			continue
		}
		l := &linter{doc: doc, templates: map[string]int{}, stored: stored}
		l.lint()
		diags = append(diags, l.diags...)
	}
	return diags.Sort()
}

type linter struct {
	doc       *Document
	templates map[string]int // name → index in spec.templates
	// stored are the WorkflowTemplates linted alongside, by name: a
	// templateRef to one of them is checked; others are checked at submit.
	stored map[refKey]*Document
	diags  Diagnostics
}

func (l *linter) errorf(path, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{Pos: l.doc.Pos(path), Severity: Error, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) lint() {
	spec := &l.doc.Spec
	for i := range spec.Templates {
		l.indexTemplate(i)
	}
	l.lintName()
	l.lintEntrypoint()
	if spec.OnExit != "" {
		if _, ok := l.templates[spec.OnExit]; !ok {
			l.errorf("spec.onExit", "onExit template %q is not defined", spec.OnExit)
		}
	}
	l.lintWorkflowHooks()
	l.lintWorkflowArguments()
	l.lintWorkflowRetry()
	l.lintSynchronization("spec.synchronization", spec.Synchronization)
	l.lintVolumeClaims()
	l.lintPodGC()
	l.lintArtifactGC()
	l.lintArtifactRepositoryRef()
	for i := range spec.Templates {
		l.lintTemplate(i)
	}
}

func (l *linter) indexTemplate(i int) {
	t := &l.doc.Spec.Templates[i]
	path := fmt.Sprintf("spec.templates[%d]", i)
	switch {
	case IsInline(t.Name) && i >= l.doc.firstHoisted:
		// named by hoistInline
	case t.Name == "":
		l.errorf(path, "template has no name")
		return
	case len(t.Name) > maxTemplateNameLength:
		l.errorf(path+".name", "template name %q is longer than %d characters", t.Name, maxTemplateNameLength)
	case !templateNamePattern.MatchString(t.Name):
		l.errorf(path+".name", "template name %q must be letters, digits and '-', starting with a letter or digit", t.Name)
	}
	if first, dup := l.templates[t.Name]; dup {
		l.errorf(path+".name", "template %q is defined twice (first at line %d)", t.Name, l.doc.Pos(fmt.Sprintf("spec.templates[%d].name", first)).Line)
		return
	}
	l.templates[t.Name] = i
}

// lintName checks metadata.name or generateName: a Kubernetes name that
// also fits in a label, as Argo's validator requires.
func (l *linter) lintName() {
	meta := &l.doc.Metadata
	switch {
	case meta.Name == "" && meta.GenerateName == "":
		l.errorf("metadata", "metadata.name or metadata.generateName is required")
	case meta.Name != "":
		if errs := validation.IsDNS1123Subdomain(meta.Name); len(errs) > 0 || len(meta.Name) > maxWorkflowNameLen {
			l.errorf("metadata.name", "name %q must be at most %d lowercase letters, digits, '-' or '.', starting and ending with a letter or digit", meta.Name, maxWorkflowNameLen)
		}
	default:
		// Kubernetes appends five characters to a generateName, cut to fit.
		if errs := validation.IsDNS1123Subdomain(meta.GenerateName + "x"); len(errs) > 0 {
			l.errorf("metadata.generateName", "generateName %q must be lowercase letters, digits, '-' or '.'", meta.GenerateName)
		}
	}
}

func (l *linter) lintEntrypoint() {
	spec := &l.doc.Spec
	switch {
	case spec.Entrypoint == "" && l.doc.Kind == wfv1.KindWorkflow && spec.WorkflowTemplateRef == nil:
		l.errorf("spec", "spec.entrypoint is required")
	case spec.Entrypoint == "":
	case strings.Contains(spec.Entrypoint, "{{"):
		// resolved at submit from parameters
	case spec.WorkflowTemplateRef != nil:
		// the entrypoint may be a template of the referenced WorkflowTemplate
		if _, own := l.templates[spec.Entrypoint]; own {
			return
		}
		ref := spec.WorkflowTemplateRef
		if doc, ok := l.stored[refKey{cluster: ref.ClusterScope, name: ref.Name}]; ok && !slices.ContainsFunc(doc.Spec.Templates, func(t wfv1.Template) bool { return t.Name == spec.Entrypoint }) {
			l.errorf("spec.entrypoint", "entrypoint template %q is defined neither here nor in %s %q", spec.Entrypoint, doc.Kind, ref.Name)
		}
	default:
		if _, ok := l.templates[spec.Entrypoint]; !ok {
			l.errorf("spec.entrypoint", "entrypoint template %q is not defined%s", spec.Entrypoint, l.suggestTemplate(spec.Entrypoint))
		}
	}
}

// lintWorkflowArguments checks that the entrypoint gets every input it
// needs, as Argo's validator does before anything runs.
func (l *linter) lintWorkflowArguments() {
	spec := &l.doc.Spec
	for i, p := range spec.Arguments.Parameters {
		path := fmt.Sprintf("spec.arguments.parameters[%d]", i)
		if p.Name == "" {
			l.errorf(path, "parameter has no name")
		}
		if l.doc.Kind == wfv1.KindWorkflow && p.Value == nil && p.ValueFrom == nil && p.Default == nil {
			l.errorf(path, "workflow parameter %q has no value (set value, or pass -p %s=VALUE)", p.Name, p.Name)
		}
	}
	idx, ok := l.templates[spec.Entrypoint]
	if !ok || l.doc.Kind != wfv1.KindWorkflow {
		l.lintArtifactArguments("spec.arguments.artifacts", spec.Arguments.Artifacts, nil, "", "")
		return
	}
	l.lintArtifactArguments("spec.arguments.artifacts", spec.Arguments.Artifacts, &spec.Templates[idx], "spec.entrypoint", "entrypoint template")
	given := parameterNames(spec.Arguments.Parameters)
	for _, in := range spec.Templates[idx].Inputs.Parameters {
		if in.Value == nil && in.Default == nil && in.ValueFrom == nil && !given[in.Name] {
			l.errorf("spec.entrypoint", "entrypoint template %q needs input parameter %q: add it to spec.arguments.parameters or pass -p %s=VALUE", spec.Entrypoint, in.Name, in.Name)
		}
	}
}

func (l *linter) lintTemplate(i int) {
	t := &l.doc.Spec.Templates[i]
	path := fmt.Sprintf("spec.templates[%d]", i)
	kinds := templateKinds(t)
	l.lintSynchronization(path+".synchronization", t.Synchronization)
	l.lintMemoize(path, t)
	switch len(kinds) {
	case 0:
		l.errorf(path, "template %q has none of container, script, resource, suspend, steps, dag, http, data, containerSet, plugin", t.Name)
	case 1:
	default:
		l.errorf(path, "template %q has more than one type: %s", t.Name, strings.Join(kinds, ", "))
	}
	if ads := t.ActiveDeadlineSeconds; ads != nil {
		ap := path + ".activeDeadlineSeconds"
		switch {
		case (len(t.Steps) > 0 || t.DAG != nil) && l.doc.fromTemplateDefaults(ap):
			// Argo validates templates before merging their defaults.
		case len(t.Steps) > 0 || t.DAG != nil:
			l.errorf(ap, "activeDeadlineSeconds is only valid for leaf templates; template %q is a %s template", t.Name, kinds[0])
		case ads.Type == intstr.String && !strings.Contains(ads.StrVal, "{{"):
			if n, err := strconv.Atoi(ads.StrVal); err != nil || n <= 0 {
				l.errorf(ap, "%s: must be a positive integer or a {{…}} variable, not str %q", ap, ads.StrVal)
			}
		case ads.Type == intstr.Int && ads.IntVal <= 0:
			l.errorf(ap, "%s: must be a positive integer or a {{…}} variable, not %d", ap, ads.IntVal)
		}
	}
	if t.Timeout != "" {
		l.lintTimeout(path, t, kinds)
	}
	if t.PendingTimeout != "" {
		l.lintPendingTimeout(path, t, kinds)
	}
	files := 0
	for j, p := range t.Outputs.Parameters {
		pp := fmt.Sprintf("%s.outputs.parameters[%d]", path, j)
		switch {
		case p.ValueFrom == nil && p.Value == nil:
			l.errorf(pp, "output parameter %q has no valueFrom", p.Name)
		case p.ValueFrom != nil && p.ValueFrom.Path != "":
			if files++; files > 1 && len(mainCommand(t)) == 0 {
				l.errorf(pp+".valueFrom.path", "not supported: %s.valueFrom.path: a template without a command can output one file parameter (several are collected by running the command under /bin/sh)", pp)
			}
		}
	}
	l.lintInputArtifacts(path, t)
	l.lintOutputArtifacts(path, t)
	l.lintArchivedLogNames(path, t)
	if t.Resource != nil {
		l.lintResource(path, t)
	}
	l.lintContainerNames(path, t)
	if t.ContainerSet != nil {
		l.lintContainerSet(path, t)
	}
	if t.HTTP != nil {
		l.lintHTTP(path, t)
	}
	if t.RetryStrategy != nil {
		l.lintRetry(path, t)
	}
	switch {
	case len(t.Steps) > 0:
		l.lintSteps(i)
	case t.DAG != nil:
		l.lintDAG(i)
	default:
		// Metrics are Argo's controller's, with variables of their own.
		leaf := *t
		leaf.Metrics = nil
		l.lintTags(path, &leaf, newScope(l, t))
	}
}

// lintTimeout checks a template's timeout as Argo's validator does: leaf
// templates only, a duration and not a bare number. kubectl-wf enforces
// it for pods.
func (l *linter) lintTimeout(path string, t *wfv1.Template, kinds []string) {
	tp := path + ".timeout"
	switch {
	case (len(t.Steps) > 0 || t.DAG != nil) && l.doc.fromTemplateDefaults(tp):
		// Argo validates templates before merging their defaults; a steps
		// or dag node's timeout then only bounds it while Pending.
	case len(t.Steps) > 0 || t.DAG != nil:
		l.errorf(tp, "%s template doesn't support timeout field", kinds[0])
	case t.Container == nil && t.Script == nil:
		if len(kinds) == 1 {
			l.errorf(tp, "not supported: %s: timeout on %s templates is not supported yet; it is on container and script templates", tp, kinds[0])
		}
	case strings.Contains(t.Timeout, "{{"):
	default:
		if _, err := strconv.Atoi(t.Timeout); err == nil {
			l.errorf(tp, "%s has invalid duration format in timeout", t.Name)
		} else if d, err := time.ParseDuration(t.Timeout); err != nil || d <= 0 {
			l.errorf(tp, "timeout %q is not a duration such as 30s or 5m", t.Timeout)
		}
	}
}

// lintPendingTimeout: leaf templates only, as Argo's validator says;
// kubectl-wf enforces it for the templates that run a pod.
func (l *linter) lintPendingTimeout(path string, t *wfv1.Template, kinds []string) {
	tp := path + ".pendingTimeout"
	switch {
	case len(kinds) != 1:
	case len(t.Steps) > 0 || t.DAG != nil:
		l.errorf(tp, "%s template doesn't support pendingTimeout field", kinds[0])
	case t.Resource != nil || t.Suspend != nil:
		l.errorf(tp, "not supported: %s: pendingTimeout on %s templates: kubectl-wf runs them without a pod, so they are never pending", tp, kinds[0])
	case strings.Contains(t.PendingTimeout, "{{"):
	case !validDuration(t.PendingTimeout):
		l.errorf(tp, "pendingTimeout %q is not a duration such as 30s, 5m or a number of seconds", t.PendingTimeout)
	}
}

// templateKinds lists which of the mutually exclusive template types t has.
func templateKinds(t *wfv1.Template) []string {
	var kinds []string
	add := func(set bool, name string) {
		if set {
			kinds = append(kinds, name)
		}
	}
	add(t.Container != nil, "container")
	add(t.Script != nil, "script")
	add(t.Resource != nil, "resource")
	add(t.Suspend != nil, "suspend")
	add(len(t.Steps) > 0, "steps")
	add(t.DAG != nil, "dag")
	add(t.HTTP != nil, "http")
	add(t.Data != nil, "data")
	add(t.ContainerSet != nil, "containerSet")
	add(t.Plugin != nil, "plugin")
	return kinds
}

// lintCall checks a step's or task's reference to a template and the
// arguments it passes.
func (l *linter) lintCall(path, template string, ref *wfv1.TemplateRef, inline *wfv1.Template, args *wfv1.Arguments, loops int) {
	if loops > 1 {
		l.errorf(path, "only one of withItems, withParam and withSequence may be set")
	}
	var target *wfv1.Template
	switch {
	case inline != nil:
		l.errorf(path, "give either template or inline, not both")
		return
	case ref != nil:
		if target = l.lintTemplateRef(path+".templateRef", ref); target == nil {
			return
		}
	case template == "":
		l.errorf(path, "no template given")
		return
	case strings.Contains(template, "{{"):
		return
	default:
		idx, ok := l.templates[template]
		if !ok {
			l.errorf(path+".template", "template %q is not defined%s", template, l.suggestTemplate(template))
			return
		}
		target = &l.doc.Spec.Templates[idx]
	}
	given := map[string]bool{}
	for k, p := range args.Parameters {
		if p.Value == nil && p.ValueFrom == nil && p.Default == nil {
			l.errorf(fmt.Sprintf("%s.arguments.parameters[%d]", path, k), "argument %q has no value", p.Name)
		}
		given[p.Name] = true
	}
	for _, in := range target.Inputs.Parameters {
		if in.Value == nil && in.Default == nil && in.ValueFrom == nil && !given[in.Name] {
			l.errorf(path, "template %q needs input parameter %q, which is not passed in arguments", target.Name, in.Name)
		}
	}
	l.lintArtifactArguments(path+".arguments.artifacts", args.Artifacts, target, path, "template")
}

// lintExitHook checks a step's or task's exit hook (hooks.exit, or the
// older onExit): what it calls and passes. Other lifecycle hooks
// (expressions run while the step runs) are not supported yet.
func (l *linter) lintExitHook(path string, hooks wfv1.LifecycleHooks, onExit string) {
	for _, key := range slices.Sorted(maps.Keys(hooks)) {
		hp := path + ".hooks." + key
		h := hooks[key]
		if key != "exit" {
			l.lintEventHook(hp, h)
			continue
		}
		if onExit != "" {
			l.errorf(hp, "give either hooks.exit or onExit, not both")
		}
		l.lintCall(hp, h.Template, h.TemplateRef, nil, &h.Arguments, 0)
	}
	if onExit != "" && !strings.Contains(onExit, "{{") {
		if _, ok := l.templates[onExit]; !ok {
			l.errorf(path+".onExit", "onExit template %q is not defined%s", onExit, l.suggestTemplate(onExit))
		}
	}
}

// lintTemplateRef checks a templateRef, and returns the template it names
// when that is among the linted documents.
func (l *linter) lintTemplateRef(path string, ref *wfv1.TemplateRef) *wfv1.Template {
	switch {
	case ref.Name == "":
		l.errorf(path, "templateRef.name is required")
		return nil
	case ref.Template == "":
		l.errorf(path, "templateRef.template is required")
		return nil
	}
	doc, ok := l.stored[refKey{cluster: ref.ClusterScope, name: ref.Name}]
	if !ok {
		return nil
	}
	for i := range doc.Spec.Templates {
		if doc.Spec.Templates[i].Name == ref.Template {
			return &doc.Spec.Templates[i]
		}
	}
	l.errorf(path+".template", "template %q is not defined in %s %q (%s)", ref.Template, doc.Kind, ref.Name, doc.Start)
	return nil
}

func (l *linter) suggestTemplate(name string) string {
	best, bestDist := "", 3
	for t := range l.templates {
		if d := editDistance(name, t); d < bestDist || (d == bestDist && t < best) {
			best, bestDist = t, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func loopCount(items []wfv1.Item, param string, seq *wfv1.Sequence) int {
	n := 0
	for _, set := range []bool{items != nil, param != "", seq != nil} {
		if set {
			n++
		}
	}
	return n
}

func parameterNames(ps []wfv1.Parameter) map[string]bool {
	m := make(map[string]bool, len(ps))
	for _, p := range ps {
		m[p.Name] = true
	}
	return m
}

// lintTags checks every `{{…}}` tag in the strings of v against scope.
func (l *linter) lintTags(path string, v any, sc *scope) {
	visitStrings(reflect.ValueOf(v), path, func(p func() string, s *string) {
		for _, tag := range Tags(*s) {
			if tag.Name == "pod.name" && podNameExpands.MatchString(p()) {
				continue // the kubelet expands it there: see pod_name.go
			}
			if msg := sc.check(tag); msg != "" {
				l.errorf(p(), "%s", msg)
			}
		}
	})
}

// stepNames lists the names of a template's steps, flattened.
func stepNames(t *wfv1.Template) []string {
	var names []string
	for _, g := range t.Steps {
		for _, s := range g.Steps {
			names = append(names, s.Name)
		}
	}
	return names
}

var _ = slices.Contains[[]string]
