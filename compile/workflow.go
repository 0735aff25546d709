package compile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Labels and annotations kubectl-wf puts on what it creates. The workflow
// label ties every object to its workflow (informers select on it); the
// node label is the node's hash, because node names do not fit in labels.
const (
	Domain             = "kubectl-wf.dev"
	LabelWorkflow      = Domain + "/workflow"
	LabelNode          = Domain + "/node"
	LabelRole          = Domain + "/role"
	AnnotationNodeName = Domain + "/node-name"
	AnnotationTemplate = Domain + "/template"
	// AnnotationDaemon marks the Job of a daemon template: its node is
	// Daemoned once its pod runs and is ready.
	AnnotationDaemon = Domain + "/daemon"
	// AnnotationContainerSet lists the containers of a containerSet's Job
	// (comma-separated): its pod has ended only when all of them have.
	AnnotationContainerSet = Domain + "/container-set"
	RoleWorkflow           = "workflow"
	RoleScript             = "script"
	WorkflowDataKey        = "workflow.json"
	ScriptDataKey          = "script"
	ScriptMountPath        = "/argo/staging"
	ScriptVolumeName       = "kubectl-wf-script"
	scriptFileMode         = 0o755
	mainContainerName      = "main"
	maxWorkflowNameLen     = 63
	generatedNameSuffix    = 5
)

// Options are what a submission adds to a document.
type Options struct {
	// Namespace the workflow runs in.
	Namespace string
	// Name overrides metadata.name and generateName.
	Name string
	// GenerateName overrides both too, as a generateName (argo submit
	// --generate-name).
	GenerateName string
	// GenerateSuffix completes a generateName; when empty, a suffix is
	// derived from the document's content, so compile output is stable.
	GenerateSuffix string
	// UID of the workflow object, once created: objects get an
	// ownerReference to it. Unknown when only compiling.
	UID types.UID
	// Parameters override or add workflow parameters, as `-p` does.
	Parameters map[string]string
	// ServiceAccount overrides spec.serviceAccountName.
	ServiceAccount string
	// Entrypoint overrides spec.entrypoint.
	Entrypoint string
}

// Workflow is a document made ready to run: its name resolved, its
// parameters merged, its templates indexed.
type Workflow struct {
	Name        string
	Namespace   string
	UID         types.UID
	Labels      map[string]string
	Annotations map[string]string
	// Created is when the workflow object was created, once it was.
	Created   time.Time
	Spec      wfv1.WorkflowSpec
	templates map[string]*wfv1.Template
	// globalRefs are found on first use (refers).
	globalRefs *lazyGlobalRefs
	// resourcePods are found on first use (ResourceNeedsPod).
	resourcePods *lazyResourcePods
}

// NewWorkflow resolves a parsed Workflow document with opts.
func NewWorkflow(doc *Document, opts Options) (*Workflow, error) {
	if doc.Kind != wfv1.KindWorkflow {
		return nil, fmt.Errorf("%s %q is a %s, not a Workflow", doc.Start, doc.Name(), doc.Kind)
	}
	w := &Workflow{
		Name:        opts.Name,
		Namespace:   opts.Namespace,
		UID:         opts.UID,
		Labels:      maps.Clone(doc.Metadata.Labels),
		Annotations: maps.Clone(doc.Metadata.Annotations),
		// A shallow copy: nothing below changes the document's nested
		// values, and copying a 10,000-task spec deeply costs more than
		// compiling it.
		Spec: doc.Spec,
	}
	generateName := doc.Metadata.GenerateName
	if w.Name == "" && opts.GenerateName != "" {
		generateName = opts.GenerateName
	} else if w.Name == "" {
		w.Name = doc.Metadata.Name
	}
	if w.Name == "" && generateName != "" {
		suffix := opts.GenerateSuffix
		if suffix == "" {
			suffix = contentSuffix(doc)
		}
		base := generateName
		if max := maxWorkflowNameLen - generatedNameSuffix; len(base) > max {
			base = base[:max] // as the apiserver cuts a long generateName
		}
		w.Name = base + suffix
	}
	if w.Name == "" {
		return nil, fmt.Errorf("%s: metadata.name or metadata.generateName is required", doc.Start)
	}
	if errs := validation.IsDNS1123Subdomain(w.Name); len(errs) > 0 || len(w.Name) > maxWorkflowNameLen {
		return nil, fmt.Errorf("%s: workflow name %q is not valid: it must be at most %d lowercase letters, digits, '-' or '.'", doc.Start, w.Name, maxWorkflowNameLen)
	}
	if w.Namespace == "" {
		w.Namespace = doc.Metadata.Namespace
	}
	if opts.ServiceAccount != "" {
		w.Spec.ServiceAccountName = opts.ServiceAccount
	}
	if opts.Entrypoint != "" {
		w.Spec.Entrypoint = opts.Entrypoint
	}
	w.Spec.Arguments.Parameters = mergeParameters(w.Spec.Arguments.Parameters, opts.Parameters)
	templates, err := withTemplateDefaults(w.Spec.TemplateDefaults, w.Spec.Templates)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doc.Pos("spec.templateDefaults"), err)
	}
	w.Spec.Templates = templates
	w.index()
	if err := w.applyWorkflowMetadata(); err != nil {
		return nil, fmt.Errorf("%s: %w", doc.Start, err)
	}
	return w, nil
}

// applyWorkflowMetadata puts spec.workflowMetadata's labels and
// annotations on the workflow object, labelsFrom evaluated with expr-lang
// over the workflow's variables, as Argo does.
func (w *Workflow) applyWorkflowMetadata() error {
	wm := w.Spec.WorkflowMetadata
	if wm == nil {
		return nil
	}
	if w.Labels == nil {
		w.Labels = map[string]string{}
	}
	if w.Annotations == nil {
		w.Annotations = map[string]string{}
	}
	maps.Copy(w.Labels, wm.Labels)
	maps.Copy(w.Annotations, wm.Annotations)
	vars := w.GlobalVars()
	for _, key := range slices.Sorted(maps.Keys(wm.LabelsFrom)) {
		v, err := vars.Eval(wm.LabelsFrom[key].Expression)
		if err != nil {
			return fmt.Errorf("workflowMetadata.labelsFrom.%s: %v", key, err)
		}
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			return fmt.Errorf("workflowMetadata.labelsFrom.%s: %q is not a valid label value: %s", key, v, strings.Join(errs, "; "))
		}
		w.Labels[key] = v
	}
	return nil
}

func (w *Workflow) index() {
	w.globalRefs = &lazyGlobalRefs{}
	w.resourcePods = &lazyResourcePods{}
	w.templates = make(map[string]*wfv1.Template, len(w.Spec.Templates))
	for i := range w.Spec.Templates {
		w.templates[w.Spec.Templates[i].Name] = &w.Spec.Templates[i]
	}
}

// Template returns the template named name.
func (w *Workflow) Template(name string) (*wfv1.Template, bool) {
	t, ok := w.templates[name]
	return t, ok
}

// mergeParameters applies `-p name=value` overrides: a known parameter's
// value is replaced, an unknown one is added, as Argo's submit does.
func mergeParameters(params []wfv1.Parameter, overrides map[string]string) []wfv1.Parameter {
	out := slices.Clone(params)
	for _, name := range slices.Sorted(maps.Keys(overrides)) {
		v := wfv1.AnyString(overrides[name])
		i := slices.IndexFunc(out, func(p wfv1.Parameter) bool { return p.Name == name })
		if i < 0 {
			out = append(out, wfv1.Parameter{Name: name, Value: &v})
			continue
		}
		out[i].Value = &v
	}
	for i := range out {
		if out[i].Value == nil && out[i].Default != nil {
			d := *out[i].Default
			out[i].Value = &d
		}
	}
	return out
}

// GlobalVars are the workflow.* variables.
func (w *Workflow) GlobalVars() Vars {
	v := Vars{
		"workflow.name":               w.Name,
		"workflow.namespace":          w.Namespace,
		"workflow.serviceAccountName": w.Spec.ServiceAccountName,
		"workflow.mainEntrypoint":     w.Spec.Entrypoint,
		"workflow.parameters":         ParametersJSON(w.Spec.Arguments.Parameters),
		"workflow.parameters.json":    ParametersJSON(w.Spec.Arguments.Parameters),
	}
	if w.UID != "" {
		v["workflow.uid"] = string(w.UID)
	}
	if !w.Created.IsZero() {
		v["workflow.creationTimestamp"] = w.Created.UTC().Format(time.RFC3339)
		if w.refers().creationFormats {
			addCreationFormats(v, w.Created.UTC())
		}
	}
	// Argo gives it from the annotation its CronWorkflows set; elsewhere
	// the tag stays as it is written.
	v["workflow.scheduledTime"] = "{{workflow.scheduledTime}}"
	if at, ok := w.Annotations[AnnotationScheduledTime]; ok {
		v["workflow.scheduledTime"] = at
	}
	if w.Spec.Priority != nil {
		v["workflow.priority"] = fmt.Sprint(*w.Spec.Priority)
	}
	for _, p := range w.Spec.Arguments.Parameters {
		if p.Value != nil {
			v["workflow.parameters."+p.Name] = p.Value.String()
		}
	}
	for k, x := range w.Labels {
		v["workflow.labels."+k] = x
	}
	for k, x := range w.Annotations {
		v["workflow.annotations."+k] = x
	}
	if r := w.refers(); r.labels || r.annotations {
		addMetadataJSON(v, w.Labels, w.Annotations)
	}
	return v
}

// contentSuffix derives a generateName suffix from a document's content,
// so that compiling the same file twice gives the same names.
func contentSuffix(doc *Document) string {
	spec, _ := json.Marshal(doc.Spec)
	sum := sha256.Sum256(spec)
	const alphabet = "bcdfghjklmnpqrstvwxz2456789" // as Kubernetes' generateName
	var b strings.Builder
	for _, c := range hex.EncodeToString(sum[:])[:generatedNameSuffix] {
		b.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return b.String()
}
