package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Templates stores WorkflowTemplates as labelled ConfigMaps of Namespace,
// and ClusterWorkflowTemplates as ConfigMaps of
// compile.ClusterTemplateNamespace (see compile/template_object.go). It is
// the compile.TemplateSource that submit resolves references with.
type Templates struct {
	Client    kubernetes.Interface
	Namespace string
}

// namespace is where templates of kind live.
func (s Templates) namespace(kind string) string {
	if kind == wfv1.KindClusterWorkflowTemplate {
		return compile.ClusterTemplateNamespace
	}
	return s.Namespace
}

// WorkflowTemplate reads one stored template.
func (s Templates) WorkflowTemplate(ctx context.Context, name string, clusterScope bool) (*wfv1.WorkflowTemplate, error) {
	kind := wfv1.KindWorkflowTemplate
	if clusterScope {
		kind = wfv1.KindClusterWorkflowTemplate
	}
	return s.Get(ctx, kind, name)
}

// Get reads the stored template of kind and name.
func (s Templates) Get(ctx context.Context, kind, name string) (*wfv1.WorkflowTemplate, error) {
	ns := s.namespace(kind)
	cm, err := s.Client.CoreV1().ConfigMaps(ns).Get(ctx, compile.TemplateObjectName(kind, name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w in namespace %s", compile.ErrTemplateNotFound, ns)
	}
	if err != nil {
		return nil, err
	}
	if cm.Labels[compile.LabelRole] != compile.TemplateRole(kind) {
		return nil, fmt.Errorf("configmap %s/%s is not a stored %s", ns, cm.Name, kind)
	}
	return compile.DecodeTemplateObject(cm)
}

// List reads every stored template of kind, sorted by name.
func (s Templates) List(ctx context.Context, kind string) ([]*wfv1.WorkflowTemplate, error) {
	list, err := s.Client.CoreV1().ConfigMaps(s.namespace(kind)).List(ctx, metav1.ListOptions{LabelSelector: compile.LabelRole + "=" + compile.TemplateRole(kind)})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*wfv1.WorkflowTemplate
	for i := range list.Items {
		t, err := compile.DecodeTemplateObject(&list.Items[i])
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *wfv1.WorkflowTemplate) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Create stores a linted template document. As `argo template create`, it
// fails when one of that name exists, unless update is set, which
// replaces it (server-side apply, field manager kubectl-wf). The cluster
// templates' namespace is created on first use.
func (s Templates) Create(ctx context.Context, doc *compile.Document, update bool) (*corev1.ConfigMap, error) {
	ns := s.namespace(doc.Kind)
	obj, err := compile.TemplateObject(doc, ns)
	if err != nil {
		return nil, err
	}
	if doc.Kind == wfv1.KindClusterWorkflowTemplate {
		if err := s.ensureNamespace(ctx, ns); err != nil {
			return nil, err
		}
	}
	if !update {
		created, err := s.Client.CoreV1().ConfigMaps(ns).Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager})
		if apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("%s %q already exists in namespace %s (update it with --update)", doc.Kind, doc.Metadata.Name, ns)
		}
		return created, err
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	force := true
	return s.Client.CoreV1().ConfigMaps(ns).Patch(ctx, obj.Name, types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
}

// Delete removes a stored template.
func (s Templates) Delete(ctx context.Context, kind, name string) error {
	ns := s.namespace(kind)
	if _, err := s.Get(ctx, kind, name); err != nil {
		return fmt.Errorf("%s %q: %w", kind, name, err)
	}
	return s.Client.CoreV1().ConfigMaps(ns).Delete(ctx, compile.TemplateObjectName(kind, name), metav1.DeleteOptions{})
}

func (s Templates) ensureNamespace(ctx context.Context, ns string) error {
	_, err := s.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		return err
	}
	_, err = s.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   ns,
		Labels: map[string]string{compile.LabelRole: compile.RoleClusterWorkflowTemplate},
	}}, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating namespace %s for ClusterWorkflowTemplates: %w", ns, err)
	}
	return nil
}
