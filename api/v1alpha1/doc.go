// Package v1alpha1 mirrors the schema of Argo Workflows' argoproj.io/v1alpha1
// Workflow and WorkflowTemplate kinds, so that a user's YAML decodes into Go
// types with the same field names Argo documents in docs/fields.md.
//
// The package holds data only. Which fields kubectl-wf can run is decided by
// the compile package's support table, never by leaving a field out here: a
// field Argo has must decode, so that lint can name it when it is unsupported.
package v1alpha1

// Group and version of the mirrored kinds.
const (
	Group      = "argoproj.io"
	Version    = "v1alpha1"
	APIVersion = Group + "/" + Version

	KindWorkflow                = "Workflow"
	KindWorkflowTemplate        = "WorkflowTemplate"
	KindClusterWorkflowTemplate = "ClusterWorkflowTemplate"
	KindCronWorkflow            = "CronWorkflow"
)
