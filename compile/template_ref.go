package compile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// TemplateSource finds stored WorkflowTemplates, or ClusterWorkflowTemplates
// when clusterScope is set. It returns an error wrapping
// ErrTemplateNotFound when there is none of that name.
type TemplateSource interface {
	WorkflowTemplate(ctx context.Context, name string, clusterScope bool) (*wfv1.WorkflowTemplate, error)
}

// ErrTemplateNotFound says a referenced template is not stored.
var ErrTemplateNotFound = errors.New("not found")

// ResolveTemplates returns doc with spec.workflowTemplateRef joined in and
// every templateRef replaced by a copy of the template it names, fetched
// from src. Argo snapshots what a workflow references when it starts
// (status.storedTemplates); kubectl-wf does it at submit, into the
// workflow object, so a running workflow never changes under its driver.
//
// A referenced template keeps Argo's name for it, "NAME/TEMPLATE", which
// no template of the workflow can have (names are letters, digits and
// '-'), and is what `argo get` shows in its TEMPLATE column. References
// inside it are resolved in its own WorkflowTemplate, as Argo does.
// doc itself is not changed. A document without references is returned
// as it is.
func ResolveTemplates(ctx context.Context, doc *Document, src TemplateSource) (*Document, error) {
	if doc.Spec.WorkflowTemplateRef == nil && !hasTemplateRefs(doc.Spec.Templates) {
		return doc, nil
	}
	r := &refResolver{ctx: ctx, doc: doc, src: src, fetched: map[refKey]*wfv1.WorkflowTemplate{}, names: map[refKey]string{}}
	out := *doc
	spec := doc.Spec
	if ref := spec.WorkflowTemplateRef; ref != nil {
		joined, err := r.joinWorkflowTemplate(ref)
		if err != nil {
			return nil, err
		}
		spec = joined
	} else {
		spec.Templates = cloneTemplates(spec.Templates)
	}
	r.spec = &spec
	own := len(spec.Templates)
	for i := 0; i < own; i++ {
		path := fmt.Sprintf("spec.templates[%d]", i)
		if doc.Spec.WorkflowTemplateRef != nil {
			path = "spec.workflowTemplateRef"
		}
		r.rewriteCalls(&spec.Templates[i], nil, path)
	}
	if err := errors.Join(r.errs...); err != nil {
		return nil, err
	}
	out.Spec = spec
	return &out, nil
}

// refKey names one template of one stored WorkflowTemplate.
type refKey struct {
	cluster        bool
	name, template string
}

type refResolver struct {
	ctx     context.Context
	doc     *Document
	src     TemplateSource
	spec    *wfv1.WorkflowSpec
	fetched map[refKey]*wfv1.WorkflowTemplate // by {cluster, name}
	names   map[refKey]string                 // resolved name of each template copied in
	errs    []error
}

func (r *refResolver) errorf(path, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", r.doc.Pos(path), fmt.Sprintf(format, args...)))
}

// fetch returns a stored template, once per workflow.
func (r *refResolver) fetch(cluster bool, name string) (*wfv1.WorkflowTemplate, error) {
	key := refKey{cluster: cluster, name: name}
	if t, ok := r.fetched[key]; ok {
		return t, nil
	}
	t, err := r.src.WorkflowTemplate(r.ctx, name, cluster)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", templateKind(cluster), name, err)
	}
	r.fetched[key] = t
	return t, nil
}

func templateKind(cluster bool) string {
	if cluster {
		return wfv1.KindClusterWorkflowTemplate
	}
	return wfv1.KindWorkflowTemplate
}

// joinWorkflowTemplate merges the workflow's spec over the referenced
// template's, as Argo's JoinWorkflowSpec does.
func (r *refResolver) joinWorkflowTemplate(ref *wfv1.WorkflowTemplateRef) (wfv1.WorkflowSpec, error) {
	if ref.Name == "" {
		return wfv1.WorkflowSpec{}, fmt.Errorf("%s: spec.workflowTemplateRef.name is required", r.doc.Pos("spec.workflowTemplateRef"))
	}
	wft, err := r.fetch(ref.ClusterScope, ref.Name)
	if err != nil {
		return wfv1.WorkflowSpec{}, fmt.Errorf("%s: %w", r.doc.Pos("spec.workflowTemplateRef.name"), err)
	}
	own := r.doc.Spec
	own.WorkflowTemplateRef = nil
	joined, err := JoinWorkflowSpec(&own, &wft.Spec)
	if err != nil {
		return wfv1.WorkflowSpec{}, fmt.Errorf("%s: joining %s %q: %w", r.doc.Pos("spec.workflowTemplateRef"), templateKind(ref.ClusterScope), ref.Name, err)
	}
	// Templates of a referenced WorkflowTemplate that refer to others by
	// name now find them among the workflow's own: nothing to rename.
	return joined, nil
}

// rewriteCalls points every step and task of t at a template of the
// workflow: a templateRef becomes the name of the template copied in, and
// when t itself came from a stored template (base), a plain name becomes
// that stored template's template of that name, copied in too.
func (r *refResolver) rewriteCalls(t *wfv1.Template, base *refKey, path string) {
	call := func(p string, name *string, ref **wfv1.TemplateRef, args *wfv1.Arguments) {
		switch {
		case *ref != nil:
			rf := *ref
			if rf.Name == "" || rf.Template == "" {
				r.errorf(p+".templateRef", "templateRef needs both name and template")
				return
			}
			if resolved, ok := r.copyIn(refKey{cluster: rf.ClusterScope, name: rf.Name, template: rf.Template}, p+".templateRef", args); ok {
				*name, *ref = resolved, nil
			}
		case base != nil && *name != "" && !strings.Contains(*name, "{{"):
			if resolved, ok := r.copyIn(refKey{cluster: base.cluster, name: base.name, template: *name}, p, args); ok {
				*name = resolved
			}
		}
	}
	for i := range t.Steps {
		for j := range t.Steps[i].Steps {
			s := &t.Steps[i].Steps[j]
			p := fmt.Sprintf("%s.steps[%d][%d]", path, i, j)
			call(p, &s.Template, &s.TemplateRef, &s.Arguments)
			r.rewriteHooks(s.Hooks, p, call)
			if base != nil && s.OnExit != "" {
				var none *wfv1.TemplateRef
				call(p+".onExit", &s.OnExit, &none, &wfv1.Arguments{})
			}
		}
	}
	if t.DAG != nil {
		for i := range t.DAG.Tasks {
			task := &t.DAG.Tasks[i]
			p := fmt.Sprintf("%s.dag.tasks[%d]", path, i)
			call(p, &task.Template, &task.TemplateRef, &task.Arguments)
			r.rewriteHooks(task.Hooks, p, call)
			if base != nil && task.OnExit != "" {
				var none *wfv1.TemplateRef
				call(p+".onExit", &task.OnExit, &none, &wfv1.Arguments{})
			}
		}
	}
}

// rewriteHooks points each hook of a step or task as call points a step.
func (r *refResolver) rewriteHooks(hooks wfv1.LifecycleHooks, path string, call func(string, *string, **wfv1.TemplateRef, *wfv1.Arguments)) {
	for key, h := range hooks {
		call(path+".hooks."+key, &h.Template, &h.TemplateRef, &h.Arguments)
		hooks[key] = h
	}
}

// copyIn copies the template key names into the workflow, once, and
// returns the name it has there. path is where the reference is, for
// errors; args are what the caller passes, checked against its inputs.
func (r *refResolver) copyIn(key refKey, path string, args *wfv1.Arguments) (string, bool) {
	wft, err := r.fetch(key.cluster, key.name)
	if err != nil {
		r.errorf(path, "%v", err)
		return "", false
	}
	var src *wfv1.Template
	for i := range wft.Spec.Templates {
		if wft.Spec.Templates[i].Name == key.template {
			src = &wft.Spec.Templates[i]
			break
		}
	}
	if src == nil {
		r.errorf(path, "template %q is not defined in %s %q", key.template, templateKind(key.cluster), key.name)
		return "", false
	}
	for _, in := range src.Inputs.Parameters {
		if in.Value == nil && in.Default == nil && in.ValueFrom == nil && !parameterNames(args.Parameters)[in.Name] {
			r.errorf(path, "template %s/%s needs input parameter %q, which is not passed in arguments", key.name, key.template, in.Name)
		}
	}
	if name, ok := r.names[key]; ok {
		return name, true
	}
	name := key.name + "/" + key.template
	if key.cluster && r.nameTaken(name) {
		name = "cluster/" + name
	}
	r.names[key] = name
	// Take the slot first: a template that calls itself, directly or
	// not, then finds its own copy.
	idx := len(r.spec.Templates)
	r.spec.Templates = append(r.spec.Templates, wfv1.Template{})
	t := cloneTemplate(src)
	t.Name = name
	base := key
	r.rewriteCalls(t, &base, path)
	r.spec.Templates[idx] = *t
	return name, true
}

func (r *refResolver) nameTaken(name string) bool {
	for k, n := range r.names {
		if n == name && !k.cluster {
			return true
		}
	}
	return false
}

func hasTemplateRefs(ts []wfv1.Template) bool {
	for i := range ts {
		for _, group := range ts[i].Steps {
			for _, s := range group.Steps {
				if s.TemplateRef != nil || hooksHaveRefs(s.Hooks) {
					return true
				}
			}
		}
		if ts[i].DAG != nil {
			for _, task := range ts[i].DAG.Tasks {
				if task.TemplateRef != nil || hooksHaveRefs(task.Hooks) {
					return true
				}
			}
		}
	}
	return false
}

func hooksHaveRefs(hooks wfv1.LifecycleHooks) bool {
	for _, h := range hooks {
		if h.TemplateRef != nil {
			return true
		}
	}
	return false
}

// cloneTemplates copies templates deeply enough that their steps and
// tasks can be rewritten without touching the parsed document.
func cloneTemplates(ts []wfv1.Template) []wfv1.Template {
	out := make([]wfv1.Template, len(ts))
	for i := range ts {
		if hasTemplateRefs(ts[i : i+1]) {
			out[i] = *cloneTemplate(&ts[i])
		} else {
			out[i] = ts[i]
		}
	}
	return out
}

// cloneTemplate is a deep copy. Templates that reference others are few
// and small; a JSON round trip keeps this in step with the types.
func cloneTemplate(t *wfv1.Template) *wfv1.Template {
	data, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("template %q does not encode: %v", t.Name, err)) // the types always encode
	}
	var c wfv1.Template
	if err := json.Unmarshal(data, &c); err != nil {
		panic(fmt.Sprintf("template %q does not decode: %v", t.Name, err))
	}
	return &c
}

// DocumentTemplates is a TemplateSource of parsed documents, for
// compiling and linting without a cluster.
type DocumentTemplates []*Document

// WorkflowTemplate returns the document of that kind and name.
func (ds DocumentTemplates) WorkflowTemplate(_ context.Context, name string, clusterScope bool) (*wfv1.WorkflowTemplate, error) {
	kind := templateKind(clusterScope)
	for _, d := range ds {
		if d.Kind == kind && d.Metadata.Name == name {
			return &wfv1.WorkflowTemplate{ObjectMeta: d.Metadata, Spec: d.Spec}, nil
		}
	}
	return nil, fmt.Errorf("%w among the files given", ErrTemplateNotFound)
}
