package compile

import (
	"fmt"
	"slices"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintResource checks a resource template as far as it is known before
// run time: a manifest or condition with {{…}} is checked when it runs.
func (l *linter) lintResource(tpath string, t *wfv1.Template) {
	r := t.Resource
	path := tpath + ".resource"
	if !slices.Contains(ResourceActions, r.Action) {
		l.errorf(path+".action", "resource action %q is not one of %s", r.Action, strings.Join(ResourceActions, ", "))
		return
	}
	if r.MergeStrategy != "" {
		switch {
		case !slices.Contains(MergeStrategies, r.MergeStrategy):
			l.errorf(path+".mergeStrategy", "mergeStrategy %q is not one of %s", r.MergeStrategy, strings.Join(MergeStrategies, ", "))
		case r.Action != "patch":
			l.errorf(path+".mergeStrategy", "mergeStrategy applies to the patch action only, not %s", r.Action)
		}
	}
	if !strings.Contains(strings.Join(r.Flags, " "), "{{") {
		f, err := ParseResourceFlags(r.Flags)
		switch {
		case err != nil:
			l.errorf(path+".flags", "%v", err)
		case FlagsNameTarget(r) && (f.Type == "" || (f.Name == "" && f.Selector == "")):
			l.errorf(path+".flags", "resource flags must name the object to %s: [TYPE, NAME]", r.Action)
		case f.Selector != "" && r.Action != "delete":
			l.errorf(path+".flags", "not supported: --selector with the %s action: kubectl-wf acts on one object, or deletes by selector", r.Action)
		}
	}
	if r.Action == "delete" && (r.SuccessCondition != "" || r.FailureCondition != "" || len(t.Outputs.Parameters) > 0) {
		l.errorf(path+".action", "successCondition, failureCondition and outputs are not supported for delete action")
	}
	if r.ManifestFrom == nil && !strings.Contains(r.Manifest, "{{") && !FlagsNameTarget(r) {
		obj, err := ParseManifest(r.Manifest, r.Action)
		switch {
		case err != nil:
			l.errorf(path+".manifest", "%v", err)
		case IsWorkflowManifest(obj.GetAPIVersion(), obj.GetKind()):
			l.lintWorkflowAction(path, r)
		case obj.GroupVersionKind().Group == wfv1.Group:
			l.errorf(path+".manifest", "not supported: a resource template on an %s %s: kubectl-wf puts no Argo kinds but Workflow in the cluster; run the other workflow's templates from this one with templateRef", wfv1.Group, obj.GetKind())
		}
	}
	for _, c := range []struct{ field, which, cond string }{
		{"successCondition", "success", r.SuccessCondition},
		{"failureCondition", "fail", r.FailureCondition},
	} {
		if strings.Contains(c.cond, "{{") {
			continue
		}
		if _, err := ParseCondition(c.which, c.cond); err != nil {
			l.errorf(path+"."+c.field, "%v", err)
		}
	}
	for j, p := range t.Outputs.Parameters {
		if p.ValueFrom != nil && p.ValueFrom.Path != "" {
			l.errorf(fmt.Sprintf("%s.outputs.parameters[%d].valueFrom.path", tpath, j), "a resource template has no files: use valueFrom.jsonPath")
		}
	}
}

// lintWorkflowAction checks a resource action on an Argo Workflow: create
// starts a child workflow (watch/child_workflow.go), whose manifest is
// checked as `kubectl wf submit` checks a file; get and delete act on a
// workflow object.
func (l *linter) lintWorkflowAction(path string, r *wfv1.ResourceTemplate) {
	switch r.Action {
	case "get", "delete":
	case "create":
		_, diags := ParseChildWorkflow(r.Manifest)
		block, inFile := l.doc.literalBlock(path + ".manifest")
		for _, d := range diags.Errors() {
			if inFile && d.Pos.Line > 0 {
				l.diags = append(l.diags, Diagnostic{Pos: block.pos(d.Pos), Severity: Error, Message: "the Workflow it creates: " + d.Message})
				continue
			}
			l.errorf(path+".manifest", "the Workflow it creates: %s", d)
		}
	default:
		l.errorf(path+".action", "not supported: the %s action on an %s Workflow: kubectl-wf acts on a Workflow with create (a child workflow), get or delete only", r.Action, wfv1.Group)
	}
}

// ParseChildWorkflow parses and lints the Workflow a resource template
// creates, as `kubectl wf submit` does a file; positions are the
// manifest's own ("manifest:LINE:COL"); lint puts them in the file when the
// manifest is a literal block (literal_block.go). The driver calls it again when the
// manifest had {{…}} to resolve first.
func ParseChildWorkflow(manifest string) ([]*Document, Diagnostics) {
	docs, diags := ParseFile("manifest", []byte(manifest))
	return docs, append(diags, Lint(docs)...).Sort()
}
