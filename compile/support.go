package compile

// support is how kubectl-wf treats an Argo field it does not run as Argo
// does. Errors stop a run: running without the field would give another
// result. Warnings do not: the result is the same, only something Argo's
// controller would also have done around it is missing.
type support struct {
	severity Severity
	reason   string
}

func notYet(reason string) support { return support{Error, reason} }

// s3RepositoryField is any s3 field but key: kubectl-wf has no artifact
// repository, its key-only artifacts are the workflow's own (Artifact.s3).
var s3RepositoryField = notYet("kubectl-wf has no artifact repository; only key-only s3 artifacts (s3.key alone) are supported")

func ignored(reason string) support { return support{Warning, reason} }

// supportTable lists, by Go type and JSON field name, every Argo field that
// kubectl-wf does not run as Argo does. A field absent here is supported.
// docs/compat.md is the human view of this table; TestCompatDocListsTable
// keeps the two in step.
var supportTable = map[string]support{
	// Workflow spec.
	"WorkflowSpec.executor":        ignored("kubectl-wf runs no executor; pods use their template's serviceAccountName"),
	"WorkflowSpec.priority":        ignored("priority orders Argo's controller queue; kubectl-wf has no queue"),
	"WorkflowSpec.metrics":         ignored("Prometheus metrics are emitted by Argo's controller; kubectl-wf emits none"),
	"WorkflowSpec.shutdown":        notYet("use `kubectl wf stop` or `kubectl wf terminate`"),
	"WorkflowSpec.resourceClaims":  notYet("dynamic resource claims are not supported yet"),
	"WorkflowSpec.executorPlugins": notYet("executor plugins need Argo's agent; kubectl-wf has none"),

	// Templates.
	"ContainerSetTemplate.retryStrategy": notYet("retrying the containers inside a containerSet's pod is not supported yet; a retryStrategy on the template retries the whole pod"),
	"Template.data":                      notYet("data templates need an artifact repository, which is not supported yet"),
	"Template.plugin":                    notYet("executor plugins need Argo's agent; kubectl-wf has none"),
	"RetryStrategy.affinity":             notYet("retry affinity (avoiding the node that failed) is not supported yet"),
	"Template.executor":                  ignored("kubectl-wf runs no executor"),
	"Template.metrics":                   ignored("Prometheus metrics are emitted by Argo's controller; kubectl-wf emits none"),
	"Mutex.database":                     notYet("database locks need Argo's database; kubectl-wf keeps locks in Leases"),
	"SemaphoreRef.database":              notYet("database locks need Argo's database; kubectl-wf keeps locks in Leases"),
	"Mutex.namespace":                    notYet("a lock of another namespace is not supported yet"),
	"SemaphoreRef.namespace":             notYet("a lock of another namespace is not supported yet"),
	"Template.resourceClaims":            notYet("dynamic resource claims are not supported yet"),

	// Steps and tasks.

	// Inputs, outputs and artifacts. Raw artifacts, and artifacts saved by
	// a container or script and passed on with from or fromExpression (or
	// exported with globalName), are supported: the driver keeps the
	// latter in ConfigMaps (StoredArtifact).
	"Artifact.deleted":                    notYet("deleted is status: Argo's controller sets it once artifactGC deleted the artifact"),
	"Artifact.archiveLogs":                ignored("archiveLogs on an artifact does nothing, as in Argo, which reads it only from a template's archiveLocation (or the artifact repository); set archiveLocation.archiveLogs on the template"),
	"S3Artifact.endpoint":                 s3RepositoryField,
	"S3Artifact.bucket":                   s3RepositoryField,
	"S3Artifact.region":                   s3RepositoryField,
	"S3Artifact.insecure":                 s3RepositoryField,
	"S3Artifact.accessKeySecret":          s3RepositoryField,
	"S3Artifact.secretKeySecret":          s3RepositoryField,
	"S3Artifact.sessionTokenSecret":       s3RepositoryField,
	"S3Artifact.roleARN":                  s3RepositoryField,
	"S3Artifact.useSDKCreds":              s3RepositoryField,
	"S3Artifact.createBucketIfNotPresent": s3RepositoryField,
	"S3Artifact.encryptionOptions":        s3RepositoryField,
	"S3Artifact.caSecret":                 s3RepositoryField,
	"S3Artifact.addressingStyle":          s3RepositoryField,
	"Artifact.git":                        notYet("git artifacts are not supported yet; raw, http and key-only s3 artifacts are"),
	"Artifact.artifactory":                notYet("artifactory artifacts are not supported yet; raw, http and key-only s3 artifacts are"),
	"Artifact.hdfs":                       notYet("hdfs artifacts are not supported yet; raw, http and key-only s3 artifacts are"),
	"Artifact.oss":                        notYet("oss artifacts are not supported yet; raw, http and key-only s3 artifacts are"),
	"Artifact.gcs":                        notYet("gcs artifacts are not supported yet; raw, http and key-only s3 artifacts are"),
	"Artifact.azure":                      notYet("azure artifacts are not supported yet; raw, http and key-only s3 artifacts are"),
	"Artifact.plugin":                     notYet("artifact plugins need Argo's executor; kubectl-wf has none"),
	"ValueFrom.event":                     notYet("event payloads need Argo's server"),
	"Parameter.enum":                      ignored("enum is checked by Argo's UI only"),
	"ResourceTemplate.manifestFrom":       notYet("manifestFrom is not supported yet: the driver acts for a resource template itself and does not read an input artifact's file for it; give the manifest in manifest"),

	// http input artifacts: basic auth only.
	"HTTPAuth.clientCert": notYet("client certificates for http artifacts are not supported yet; use basicAuth or headers"),
	"HTTPAuth.oauth2":     notYet("OAuth2 for http artifacts is not supported yet; use basicAuth or headers"),

	// Artifact GC: the driver deletes the artifacts itself, with no pod.
	"ArtifactGC.serviceAccountName":              notYet(noGCPod),
	"ArtifactGC.podMetadata":                     notYet(noGCPod),
	"WorkflowLevelArtifactGC.serviceAccountName": notYet(noGCPod),
	"WorkflowLevelArtifactGC.podMetadata":        notYet(noGCPod),
	"WorkflowLevelArtifactGC.podSpecPatch":       notYet(noGCPod),

	// A template's archiveLocation: archived logs are kept in ConfigMaps,
	// so only archiveLogs is supported, not a repository to archive in.
	"ArtifactLocation.s3":          notYet(archiveRepository),
	"ArtifactLocation.git":         notYet(archiveRepository),
	"ArtifactLocation.http":        notYet(archiveRepository),
	"ArtifactLocation.artifactory": notYet(archiveRepository),
	"ArtifactLocation.hdfs":        notYet(archiveRepository),
	"ArtifactLocation.raw":         notYet(archiveRepository),
	"ArtifactLocation.oss":         notYet(archiveRepository),
	"ArtifactLocation.gcs":         notYet(archiveRepository),
	"ArtifactLocation.azure":       notYet(archiveRepository),
	"ArtifactLocation.plugin":      notYet(archiveRepository),
}

const noGCPod = "kubectl-wf runs no garbage-collection pod: its driver deletes the artifacts, with its own credentials"

const archiveRepository = "an archive location in a repository is not supported; kubectl-wf keeps archived logs in a ConfigMap, so archiveLocation may only set archiveLogs"
