package compile

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// A WorkflowTemplate is stored as a ConfigMap, since there is no CRD: its
// name is the kind and the template's name ("workflowtemplate.NAME"), so
// that it never collides with a workflow object (named as the workflow)
// and `kubectl get configmaps` shows what it is. ClusterWorkflowTemplates
// are stored the same way in one namespace that every user can read,
// ClusterTemplateNamespace: docs/compat.md says why.
const (
	RoleWorkflowTemplate        = "workflow-template"
	RoleClusterWorkflowTemplate = "cluster-workflow-template"
	LabelTemplateName           = Domain + "/template-name"
	TemplateDataKey             = "template.json"
	ClusterTemplateNamespace    = "kubectl-wf-cluster-templates"
)

// TemplateObjectName is the name of the ConfigMap that stores the template
// of that kind and name.
func TemplateObjectName(kind, name string) string {
	return strings.ToLower(kind) + "." + name
}

// TemplateRole is the role label value of a stored template of kind.
func TemplateRole(kind string) string {
	if kind == wfv1.KindClusterWorkflowTemplate {
		return RoleClusterWorkflowTemplate
	}
	return RoleWorkflowTemplate
}

// TemplateObject is the ConfigMap that stores a WorkflowTemplate or
// ClusterWorkflowTemplate document in namespace.
func TemplateObject(doc *Document, namespace string) (*corev1.ConfigMap, error) {
	if doc.Kind != wfv1.KindWorkflowTemplate && doc.Kind != wfv1.KindClusterWorkflowTemplate {
		return nil, fmt.Errorf("%s %q is a %s, not a WorkflowTemplate", doc.Start, doc.Name(), doc.Kind)
	}
	name := doc.Metadata.Name
	if name == "" {
		return nil, fmt.Errorf("%s: a %s needs metadata.name (generateName is not enough to refer to it)", doc.Start, doc.Kind)
	}
	objName := TemplateObjectName(doc.Kind, name)
	if errs := validation.IsDNS1123Subdomain(objName); len(errs) > 0 {
		return nil, fmt.Errorf("%s: %s name %q is not valid: %s", doc.Start, doc.Kind, name, strings.Join(errs, "; "))
	}
	meta := doc.Metadata
	meta.Namespace = ""
	meta.ResourceVersion, meta.UID, meta.CreationTimestamp, meta.ManagedFields = "", "", metav1.Time{}, nil
	data, err := json.Marshal(wfv1.WorkflowTemplate{
		TypeMeta:   metav1.TypeMeta{APIVersion: wfv1.APIVersion, Kind: doc.Kind},
		ObjectMeta: meta,
		Spec:       doc.Spec,
	})
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", doc.Kind, name, err)
	}
	labels := map[string]string{}
	for k, v := range doc.Metadata.Labels {
		labels[k] = v
	}
	labels[LabelRole] = TemplateRole(doc.Kind)
	if len(validation.IsValidLabelValue(name)) == 0 {
		labels[LabelTemplateName] = name
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: objName, Namespace: namespace, Labels: labels, Annotations: doc.Metadata.Annotations},
		Data:       map[string]string{TemplateDataKey: string(data)},
	}, nil
}

// DecodeTemplateObject reads a stored template back.
func DecodeTemplateObject(cm *corev1.ConfigMap) (*wfv1.WorkflowTemplate, error) {
	raw, ok := cm.Data[TemplateDataKey]
	if !ok {
		return nil, fmt.Errorf("configmap %s/%s does not hold a workflow template", cm.Namespace, cm.Name)
	}
	var t wfv1.WorkflowTemplate
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return nil, fmt.Errorf("configmap %s/%s does not hold a workflow template: %w", cm.Namespace, cm.Name, err)
	}
	t.Namespace = cm.Namespace
	t.UID, t.ResourceVersion, t.CreationTimestamp = cm.UID, cm.ResourceVersion, cm.CreationTimestamp
	return &t, nil
}

// WorkflowFromTemplate is the Workflow `submit --from` creates: one that
// runs the whole stored template of kind and name, generateName NAME-,
// labelled as Argo labels it (workflows.argoproj.io/workflow-template or
// cluster-workflow-template).
func WorkflowFromTemplate(kind, name string) *Document {
	label := "workflows.argoproj.io/workflow-template"
	if kind == wfv1.KindClusterWorkflowTemplate {
		label = "workflows.argoproj.io/cluster-workflow-template"
	}
	return &Document{
		Kind: wfv1.KindWorkflow,
		Metadata: metav1.ObjectMeta{
			GenerateName: name + "-",
			Labels:       map[string]string{label: name},
		},
		Spec: wfv1.WorkflowSpec{WorkflowTemplateRef: &wfv1.WorkflowTemplateRef{
			Name:         name,
			ClusterScope: kind == wfv1.KindClusterWorkflowTemplate,
		}},
		Start: Pos{File: strings.ToLower(kind) + "/" + name, Line: 1, Col: 1},
	}
}
