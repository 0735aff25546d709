package compile

// spec.artifactRepositoryRef names the artifact repository Argo would keep
// the workflow's artifacts in. kubectl-wf resolves it as Argo does, at
// submit (watch.resolveArtifactRepository), so that a workflow whose
// reference names nothing ends in Error as Argo's would; its artifacts
// are then kept in ConfigMaps all the same. Lint says so, in a warning.
const (
	// DefaultArtifactRepositories is the ConfigMap a reference without a
	// configMap names.
	DefaultArtifactRepositories = "artifact-repositories"
	// AnnotationDefaultArtifactRepository on that ConfigMap names the key
	// a reference without a key takes.
	AnnotationDefaultArtifactRepository = "workflows.argoproj.io/default-artifact-repository"
)

// repositoryNotUsed is lint's warning on spec.artifactRepositoryRef.
const repositoryNotUsed = "artifactRepositoryRef is resolved as Argo resolves it (the workflow ends in Error when it names no repository), but kubectl-wf keeps the artifacts in ConfigMaps whatever the repository says"

func (l *linter) lintArtifactRepositoryRef() {
	if l.doc.Spec.ArtifactRepositoryRef != nil {
		l.diags = append(l.diags, Diagnostic{Pos: l.doc.Pos("spec.artifactRepositoryRef"), Severity: Warning, Message: repositoryNotUsed})
	}
}
