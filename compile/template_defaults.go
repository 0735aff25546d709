package compile

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/strategicpatch"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// withTemplateDefaults returns templates with spec.templateDefaults merged
// into each, as Argo's mergedTemplateDefaultsInto does when it runs one: a
// strategic merge patch of the template over the defaults, so the
// template's own values win and lists merge by their patchMergeKey (env,
// volumes, input parameters by name…). Of the defaults' template types
// (container, script, …) only the template's own type applies. templates
// itself is not changed.
func withTemplateDefaults(defaults *wfv1.Template, templates []wfv1.Template) ([]wfv1.Template, error) {
	if defaults == nil {
		return templates, nil
	}
	out := slices.Clone(templates)
	for i := range out {
		if err := mergeDefaults(defaults, &out[i]); err != nil {
			return nil, fmt.Errorf("template %q: spec.templateDefaults: %w", out[i].Name, err)
		}
	}
	return out, nil
}

func mergeDefaults(defaults *wfv1.Template, t *wfv1.Template) error {
	d := applicableDefaults(defaults, t)
	original, err := json.Marshal(d)
	if err != nil {
		return err
	}
	patch, err := json.Marshal(t)
	if err != nil {
		return err
	}
	merged, err := strategicpatch.StrategicMergePatch(original, patch, wfv1.Template{})
	if err != nil {
		return err
	}
	var out wfv1.Template
	if err := json.Unmarshal(merged, &out); err != nil {
		return err
	}
	*t = out
	return nil
}

// applicableDefaults is defaults without the template types t is not of.
// A template of no type gets none: the defaults never give a type.
func applicableDefaults(defaults, t *wfv1.Template) wfv1.Template {
	d := *defaults
	d.Name = ""
	if t.Container == nil {
		d.Container = nil
	}
	if t.Script == nil {
		d.Script = nil
	}
	if t.Resource == nil {
		d.Resource = nil
	}
	if t.Suspend == nil {
		d.Suspend = nil
	}
	if len(t.Steps) == 0 {
		d.Steps = nil
	}
	if t.DAG == nil {
		d.DAG = nil
	}
	if t.HTTP == nil {
		d.HTTP = nil
	}
	if t.Data == nil {
		d.Data = nil
	}
	if t.ContainerSet == nil {
		d.ContainerSet = nil
	}
	if t.Plugin == nil {
		d.Plugin = nil
	}
	return d
}

// templateDefaultsPos finds where a template's field at path was written:
// in the template, or, when the template does not have it, in
// spec.templateDefaults, which gave it. The nearest field written wins.
func (d *Document) templateDefaultsPos(path string) (Pos, bool) {
	if d.Spec.TemplateDefaults == nil || !strings.HasPrefix(path, "spec.templates[") {
		return Pos{}, false
	}
	end := strings.IndexByte(path, ']')
	base, rest := path[:end+1], path[end+1:]
	for strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "[") {
		if p, ok := d.positions.lookup(d.sourcePath(base + rest)); ok {
			return p, true
		}
		if p, ok := d.positions.lookup("spec.templateDefaults" + rest); ok {
			return p, true
		}
		i := strings.LastIndexAny(rest, ".[")
		if i <= 0 {
			break
		}
		rest = rest[:i]
	}
	return Pos{}, false
}

// fromTemplateDefaults reports whether the field at path, in a template,
// was given by spec.templateDefaults rather than written in the template.
func (d *Document) fromTemplateDefaults(path string) bool {
	if d.Spec.TemplateDefaults == nil || !strings.HasPrefix(path, "spec.templates[") {
		return false
	}
	if _, ok := d.positions.lookup(d.sourcePath(path)); ok {
		return false
	}
	_, ok := d.positions.lookup("spec.templateDefaults" + path[strings.IndexByte(path, ']')+1:])
	return ok
}

// withTemplateDefaults returns the document with its templateDefaults
// merged into its templates, for lint to see them as they will run.
func (d *Document) withTemplateDefaults() (*Document, error) {
	if d.Spec.TemplateDefaults == nil {
		return d, nil
	}
	templates, err := withTemplateDefaults(d.Spec.TemplateDefaults, d.Spec.Templates)
	if err != nil {
		return d, err
	}
	out := *d
	out.Spec.Templates = templates
	return &out, nil
}
