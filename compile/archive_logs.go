package compile

import (
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Archived logs (spec.archiveLogs, a template's archiveLocation.archiveLogs):
// when a pod's node ends, the driver keeps the log of each container
// named by AnnotationArchiveLogs as the node's output artifact
// CONTAINER-logs (main-logs for a container or script), in the same
// ConfigMap as the pod's output artifacts.
const AnnotationArchiveLogs = Domain + "/archive-logs"

// ArchivesLogs reports whether tmpl's pod has its logs archived: the
// template's archiveLocation.archiveLogs when set, else the workflow's
// spec.archiveLogs, as Argo decides with no artifact repository of its
// own configured.
func (w *Workflow) ArchivesLogs(tmpl *wfv1.Template) bool {
	if l := tmpl.ArchiveLocation; l != nil && l.ArchiveLogs != nil {
		return *l.ArchiveLogs
	}
	return w.Spec.ArchiveLogs != nil && *w.Spec.ArchiveLogs
}

// archiveLogsAnnotation is the value of AnnotationArchiveLogs for tmpl's
// Job: the containers whose logs are archived, comma-separated, as Argo's
// executor chooses them (a containerSet's containers, else main), or ""
// for none. An http template's request runs in Argo's agent, which
// archives no log, so none is archived here either.
func (w *Workflow) archiveLogsAnnotation(tmpl *wfv1.Template) string {
	if !w.ArchivesLogs(tmpl) {
		return ""
	}
	switch {
	case tmpl.Container != nil, tmpl.Script != nil:
		return mainContainerName
	case tmpl.ContainerSet != nil:
		names := make([]string, len(tmpl.ContainerSet.Containers))
		for i, c := range tmpl.ContainerSet.Containers {
			names[i] = c.Name
		}
		return strings.Join(names, ",")
	}
	return ""
}

// LogArtifactName is the output artifact that holds container's archived
// log, as Argo names it.
func LogArtifactName(container string) string { return container + "-logs" }
