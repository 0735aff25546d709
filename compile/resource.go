package compile

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Resource template actions and patch strategies, as Argo accepts them.
var (
	ResourceActions = []string{"get", "create", "apply", "delete", "replace", "patch"}
	MergeStrategies = []string{"strategic", "merge", "json"}
)

// Resource labels put on what a resource template creates, so that a
// driver that died between creating an object and recording it finds it
// again instead of creating another (generateName makes a new name each
// time). They are not LabelWorkflow: the driver's informers must not
// mistake a user's Job for one of its own.
const (
	LabelCreatedByWorkflow = Domain + "/created-by-workflow"
	LabelCreatedByNode     = Domain + "/created-by-node"
)

// ResourceAction is an instantiated resource template, ready for the driver.
type ResourceAction struct {
	Action        string
	MergeStrategy string
	// Object is the manifest: the object to act on, or for a patch its
	// target and the patch itself. Nil when flags name the target.
	Object *unstructured.Unstructured
	// Patch is the patch's body when flags name its target (a JSON patch,
	// or a manifest without a kind).
	Patch             []byte
	Flags             ResourceFlags
	SetOwnerReference bool
	Success, Failure  labels.Requirements
}

// NewResourceAction reads an instantiated resource template.
func NewResourceAction(r *wfv1.ResourceTemplate) (*ResourceAction, error) {
	a := &ResourceAction{Action: r.Action, MergeStrategy: r.MergeStrategy, SetOwnerReference: r.SetOwnerReference}
	if a.MergeStrategy == "" {
		a.MergeStrategy = "strategic"
	}
	var err error
	if a.Flags, err = ParseResourceFlags(r.Flags); err != nil {
		return nil, err
	}
	switch {
	case FlagsNameTarget(r):
		if a.Flags.Type == "" || (a.Flags.Name == "" && a.Flags.Selector == "") {
			return nil, fmt.Errorf("resource flags must name the object to %s: [TYPE, NAME]", r.Action)
		}
		if strings.TrimSpace(r.Manifest) != "" {
			if a.Patch, err = yaml.YAMLToJSON([]byte(r.Manifest)); err != nil {
				return nil, fmt.Errorf("resource manifest: %v", err)
			}
		}
	default:
		if a.Object, err = ParseManifest(r.Manifest, r.Action); err != nil {
			return nil, err
		}
	}
	if a.Success, err = ParseCondition("success", r.SuccessCondition); err != nil {
		return nil, err
	}
	if a.Failure, err = ParseCondition("fail", r.FailureCondition); err != nil {
		return nil, err
	}
	return a, nil
}

// FlagsNameTarget reports whether a resource template's flags, not its
// manifest, name the object, as kubectl reads them: a JSON patch, a
// manifest with no kind, or no manifest at all.
func FlagsNameTarget(r *wfv1.ResourceTemplate) bool {
	if len(r.Flags) == 0 {
		return false
	}
	if r.MergeStrategy == "json" || strings.TrimSpace(r.Manifest) == "" {
		return true
	}
	var head struct {
		Kind string `json:"kind"`
	}
	return yaml.Unmarshal([]byte(r.Manifest), &head) == nil && head.Kind == ""
}

// ParseManifest reads a resource template's manifest: one object with
// apiVersion, kind and a name (or, to create, a generateName).
func ParseManifest(manifest, action string) (*unstructured.Unstructured, error) {
	if strings.TrimSpace(manifest) == "" {
		return nil, fmt.Errorf("resource manifest is empty")
	}
	var content map[string]any
	if err := yaml.Unmarshal([]byte(manifest), &content); err != nil {
		return nil, fmt.Errorf("resource manifest: %v", err)
	}
	if content == nil {
		return nil, fmt.Errorf("resource manifest is not an object")
	}
	obj := &unstructured.Unstructured{Object: content}
	switch {
	case obj.GetAPIVersion() == "" || obj.GetKind() == "":
		return nil, fmt.Errorf("resource manifest needs apiVersion and kind")
	case obj.GetName() == "" && (action != "create" || obj.GetGenerateName() == ""):
		if action == "create" {
			return nil, fmt.Errorf("resource manifest needs metadata.name or metadata.generateName")
		}
		return nil, fmt.Errorf("resource manifest needs metadata.name to %s an object", action)
	}
	return obj, nil
}

// ParseCondition reads a success or failure condition: Kubernetes label
// selector syntax, whose keys are paths into the object (Argo's rule).
func ParseCondition(which, cond string) (labels.Requirements, error) {
	if cond == "" {
		return nil, nil
	}
	sel, err := labels.Parse(cond)
	if err != nil {
		return nil, fmt.Errorf("%s condition '%s' failed to parse: %v", which, cond, err)
	}
	reqs, _ := sel.Requirements()
	return reqs, nil
}

// IsWorkflowManifest tells an Argo Workflow, which a resource template
// creates as a child workflow, from the other Argo kinds, which kubectl-wf
// does not put in the cluster.
func IsWorkflowManifest(apiVersion, kind string) bool {
	return schema.FromAPIVersionAndKind(apiVersion, kind).Group == wfv1.Group && kind == wfv1.KindWorkflow
}
