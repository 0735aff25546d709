package compile

import (
	"fmt"
	"slices"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Artifact garbage collection (spec.artifactGC, an output artifact's
// artifactGC, which overrides it), as Argo's strategies name it. A pod's
// saved artifacts live in its Job's artifacts ConfigMap, owned by the Job
// and so by the workflow object: OnWorkflowDeletion is Kubernetes' garbage
// collector's doing, and Never is the same in kubectl-wf (nothing outlives
// the workflow). OnWorkflowCompletion is the driver's: AnnotationGCOnCompletion
// names, on each Job, the artifacts it deletes once the workflow has ended.
const (
	ArtifactGCOnWorkflowCompletion = "OnWorkflowCompletion"
	ArtifactGCOnWorkflowDeletion   = "OnWorkflowDeletion"
	ArtifactGCNever                = "Never"
)

var artifactGCStrategies = []string{ArtifactGCOnWorkflowCompletion, ArtifactGCOnWorkflowDeletion, ArtifactGCNever}

// AnnotationGCOnCompletion lists (comma-separated) the artifacts of a
// Job's pod, archived logs included, that go when the workflow ends.
const AnnotationGCOnCompletion = Domain + "/artifact-gc-on-completion"

// artifactGCStrategy is an output artifact's strategy as Argo decides it:
// its own, else the workflow's, else Never.
func artifactGCStrategy(spec *wfv1.WorkflowSpec, gc *wfv1.ArtifactGC) string {
	if gc != nil && gc.Strategy != "" {
		return gc.Strategy
	}
	if spec.ArtifactGC != nil && spec.ArtifactGC.Strategy != "" {
		return spec.ArtifactGC.Strategy
	}
	return ArtifactGCNever
}

// gcOnCompletionAnnotation is the value of AnnotationGCOnCompletion for
// tmpl's Job, "" for none. Archived logs are output artifacts with no
// artifactGC of their own in Argo, so the workflow's strategy is theirs.
func (w *Workflow) gcOnCompletionAnnotation(tmpl *wfv1.Template) string {
	var names []string
	for _, a := range pathArtifacts(tmpl) {
		if artifactGCStrategy(&w.Spec, a.ArtifactGC) == ArtifactGCOnWorkflowCompletion {
			names = append(names, a.Name)
		}
	}
	if artifactGCStrategy(&w.Spec, nil) == ArtifactGCOnWorkflowCompletion {
		for _, c := range archivedLogContainers(&w.Spec, tmpl) {
			names = append(names, LogArtifactName(c))
		}
	}
	return strings.Join(names, ",")
}

// lintArtifactGC checks the strategies, which Argo's CRD limits to its
// three, and refuses an artifactGC on an artifact a steps or dag template
// passes on: in Argo both nodes name the same object in the repository,
// so either one's strategy deletes it; here the parent's artifact is the
// child's, and only the template that saves it says when it goes.
func (l *linter) lintArtifactGC() {
	spec := &l.doc.Spec
	if spec.ArtifactGC != nil {
		l.lintGCStrategy("spec.artifactGC.strategy", spec.ArtifactGC.Strategy)
	}
	for i := range spec.Templates {
		for j, a := range spec.Templates[i].Outputs.Artifacts {
			if a.ArtifactGC == nil {
				continue
			}
			at := fmt.Sprintf("spec.templates[%d].outputs.artifacts[%d].artifactGC", i, j)
			l.lintGCStrategy(at+".strategy", a.ArtifactGC.Strategy)
			if a.Path == "" && a.ArtifactGC.Strategy != "" {
				l.errorf(at, "not supported: %s: artifactGC on an artifact passed on from a child (from, fromExpression) is not supported yet; set it where the artifact is saved", at)
			}
		}
	}
}

func (l *linter) lintGCStrategy(at, strategy string) {
	if strategy != "" && !slices.Contains(artifactGCStrategies, strategy) {
		l.errorf(at, "unknown artifactGC strategy %q: one of %s", strategy, strings.Join(artifactGCStrategies, ", "))
	}
}
