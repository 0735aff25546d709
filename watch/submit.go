package watch

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"math/big"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Create makes a workflow's object in the cluster. Stored templates it
// references are copied in, and it is compiled first, so a workflow that
// cannot run creates nothing. A generateName is
// completed here, with a new suffix if the name is taken.
func Create(ctx context.Context, cs kubernetes.Interface, doc *compile.Document, opts compile.Options, dryRun bool) (*compile.Workflow, *corev1.ConfigMap, error) {
	return create(ctx, cs, doc, opts, dryRun, nil)
}

// create is Create, with what the creator adds to the object's metadata
// (a child workflow's labels and owner) given as meta.
func create(ctx context.Context, cs kubernetes.Interface, doc *compile.Document, opts compile.Options, dryRun bool, meta *metav1.ObjectMeta) (*compile.Workflow, *corev1.ConfigMap, error) {
	doc, err := compile.ResolveTemplates(ctx, doc, Templates{Client: cs, Namespace: opts.Namespace})
	if err != nil {
		return nil, nil, err
	}
	if err := resolveConfigMapRefs(ctx, cs, opts.Namespace, doc); err != nil {
		return nil, nil, err
	}
	var repository map[string]string // resolved once, for the first name tried
	for attempt := 0; ; attempt++ {
		if opts.Name == "" && (doc.Metadata.Name == "" || opts.GenerateName != "") {
			opts.GenerateSuffix = randomSuffix()
		}
		w, err := compile.NewWorkflow(doc, opts)
		if err != nil {
			return nil, nil, err
		}
		if _, err := compile.Compile(w); err != nil {
			return nil, nil, err
		}
		if attempt == 0 {
			// The workflow's spec: a workflowTemplateRef's merged in.
			if repository, err = resolveArtifactRepository(ctx, cs, w.Namespace, w.Spec.ArtifactRepositoryRef); err != nil {
				return nil, nil, err
			}
		}
		obj, err := w.WorkflowObject()
		if err != nil {
			return nil, nil, err
		}
		if obj.Annotations == nil {
			obj.Annotations = map[string]string{}
		}
		maps.Copy(obj.Annotations, repository)
		obj.Annotations[AnnotationPhase] = string(Pending)
		if s := w.Spec.Suspend; s != nil && *s {
			// spec.suspend: the workflow starts suspended until resumed.
			obj.Annotations[AnnotationSuspended] = "true"
		}
		if meta != nil {
			maps.Copy(obj.Labels, meta.Labels)
			obj.OwnerReferences = meta.OwnerReferences
		}
		create := metav1.CreateOptions{FieldManager: FieldManager}
		if dryRun {
			create.DryRun = []string{metav1.DryRunAll}
		}
		created, err := cs.CoreV1().ConfigMaps(w.Namespace).Create(ctx, obj, create)
		if apierrors.IsAlreadyExists(err) && opts.GenerateSuffix != "" && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("creating workflow %s: %w", w.Name, err)
		}
		w.UID = created.UID
		return w, created, nil
	}
}

// randomSuffix is five characters as Kubernetes' generateName uses.
func randomSuffix() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	b := make([]byte, 5)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on Linux
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}
