package compile

import (
	"fmt"
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
func (w *Workflow) ArchivesLogs(tmpl *wfv1.Template) bool { return archivesLogs(&w.Spec, tmpl) }

func archivesLogs(spec *wfv1.WorkflowSpec, tmpl *wfv1.Template) bool {
	if l := tmpl.ArchiveLocation; l != nil && l.ArchiveLogs != nil {
		return *l.ArchiveLogs
	}
	return spec.ArchiveLogs != nil && *spec.ArchiveLogs
}

// archiveLogsAnnotation is the value of AnnotationArchiveLogs for tmpl's
// Job: the containers whose logs are archived, comma-separated, or "" for
// none.
func (w *Workflow) archiveLogsAnnotation(tmpl *wfv1.Template) string {
	return strings.Join(archivedLogContainers(&w.Spec, tmpl), ",")
}

// archivedLogContainers are the containers of tmpl's pod whose logs are
// archived, as Argo's executor chooses them (a containerSet's containers,
// else main), or none. An http template's request runs in Argo's agent,
// which archives no log, so none is archived here either.
func archivedLogContainers(spec *wfv1.WorkflowSpec, tmpl *wfv1.Template) []string {
	if !archivesLogs(spec, tmpl) {
		return nil
	}
	switch {
	case tmpl.Container != nil, tmpl.Script != nil:
		return []string{mainContainerName}
	case tmpl.ContainerSet != nil:
		names := make([]string, len(tmpl.ContainerSet.Containers))
		for i, c := range tmpl.ContainerSet.Containers {
			names[i] = c.Name
		}
		return names
	}
	return nil
}

// lintArchivedLogNames: an output artifact may not take the name of an
// archived log. Argo adds the log as an output artifact CONTAINER-logs
// beside the template's own, so the two would share one name, and which
// one steps.X.outputs.artifacts.NAME gives is anyone's guess.
func (l *linter) lintArchivedLogNames(at string, t *wfv1.Template) {
	for _, c := range archivedLogContainers(&l.doc.Spec, t) {
		name := LogArtifactName(c)
		for i, a := range t.Outputs.Artifacts {
			if a.Name == name {
				l.errorf(fmt.Sprintf("%s.outputs.artifacts[%d].name", at, i),
					"output artifact %q has the name of the archived log of container %s (archiveLogs), which Argo names %s too: rename the artifact, or archive no logs for template %q",
					a.Name, c, name, t.Name)
			}
		}
	}
}

// LogArtifactName is the output artifact that holds container's archived
// log, as Argo names it.
func LogArtifactName(container string) string { return container + "-logs" }
