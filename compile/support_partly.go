package compile

// partlySupported lists, by the same keys as supportTable, the fields
// kubectl-wf runs but not exactly as Argo does. They lint clean: the
// difference is on purpose or narrow, and docs/compat.md explains it. The
// generated field table in docs/compat.md shows each one's note.
var partlySupported = map[string]string{
	"WorkflowSpec.synchronization":                  "no queue across workflows: when a lock is freed, whichever waiting driver tries first takes it",
	"Template.synchronization":                      "no queue across workflows; within one workflow nodes take locks in evaluation order",
	"WorkflowSpec.parallelism":                      "a node waiting for a slot is shown Pending, where Argo shows it once it starts",
	"Template.parallelism":                          "a node waiting for a slot is shown Pending, where Argo shows it once it starts",
	"Template.timeout":                              "container and script templates only; a running pod's is counted from the pod's start, where Argo counts from the node's",
	"Template.pendingTimeout":                       "pod templates; a node held back by parallelism or a lock is not timed out",
	"Template.sidecars":                             "native sidecars: the kubelet restarts one that ends while main runs",
	"Template.resource":                             "run by the driver with the dynamic client and the caller's credentials, not by kubectl in a pod",
	"Template.http":                                 "the request is made by curl in a Job's pod; errors are curl's, not Go's",
	"Template.containerSet":                         "containers others depend on run one at a time, as init containers",
	"ResourceTemplate.flags":                        "a target, --selector/-l, --ignore-not-found and --validate=false; any other flag is a lint error",
	"ValueFrom.path":                                "at most 4 KiB in all, through the container's termination message",
	"ValueFrom.configMapKeyRef":                     "read once, at submit, not when the node starts",
	"WorkflowSpec.workflowTemplateRef":              "resolved at submit, by whoever submits",
	"WorkflowStep.templateRef":                      "resolved at submit, by whoever submits",
	"DAGTask.templateRef":                           "resolved at submit, by whoever submits",
	"Outputs.result":                                "stdout and stderr interleaved, as the pod log API gives them",
	"Workflow.metadata":                             "metadata.name at most 63 characters, as Argo's validator requires",
	"Template.failFast":                             "waits for every pod started under the template, nested ones too",
	"WorkflowSpec.podGC":                            "deleteDelayDuration defaults to none (Argo's controller waits 5s); the driver stays until the pods it deletes are gone",
	"WorkflowSpec.volumeClaimTemplates":             "a claim the API refuses stops the driver instead of ending the workflow in Error",
	"Inputs.artifacts":                              "raw data, another node's output artifact (from), or what a key-only s3 key names, placed in container and script templates; the files are read-only. A steps or dag template passes its own on with from: {{inputs.artifacts.NAME}}",
	"Outputs.artifacts":                             "saved from a container, script or containerSet template (from a volume main mounts, or else under main's command; a container with no command gets an emptyDir at the artifact's directory, seeded from its image, not in /; a containerSet's from volumes only), and kept in a ConfigMap: at most 900 KiB per pod; empty directories and symbolic links to directories are not kept. A steps or dag template takes a child's (from, fromExpression), nothing copied",
	"WorkflowSpec.artifactRepositoryRef":            "resolved at submit, in the workflow's namespace only, as Argo resolves it (Error when it names nothing); the artifacts are kept in ConfigMaps all the same, and lint warns of it",
	"WorkflowSpec.artifactGC":                       "OnWorkflowCompletion: the driver deletes the artifacts (and archived logs) before it records the workflow's end; OnWorkflowDeletion: they go with the workflow's objects",
	"Artifact.artifactGC":                           "on artifacts a container, script or containerSet template saves, not on ones a steps or dag template passes on",
	"WorkflowLevelArtifactGC.forceFinalizerRemoval": "kubectl-wf never holds a workflow's deletion for its artifacts: they go with it, as if this were true",
	"Artifact.from":                                 "{{steps.X.outputs.artifacts.Y}}, {{tasks.X.outputs.artifacts.Y}} or {{workflow.outputs.artifacts.Y}}: an artifact a container or script saved, maybe passed on by steps or dag templates",
	"Artifact.fromExpression":                       "an expression that gives one of the artifacts from names (steps.X.outputs.artifacts.Y…); an artifact is a value there, not an object with fields",
	"Artifact.subPath":                              "with from or fromExpression: a file or directory of the artifact",
	"Artifact.s3":                                   "key-only (s3.key alone), on output and input artifacts with a path and on artifact arguments: a key names an artifact saved by the same workflow (kept in its ConfigMaps), not one of an artifact repository shared across workflows",
	"Artifact.archive":                              "files are kept as they are, whatever the archive; the consumer gets the same files",
	"WorkflowSpec.archiveLogs":                      "the logs of container, script and containerSet pods (not of http or resource templates), kept in the pod's artifacts ConfigMap: only the last bytes that fit in 1 MiB",
	"Template.archiveLocation":                      "archiveLogs only: no repository",
	"ArtifactLocation.archiveLogs":                  "as WorkflowSpec.archiveLogs, which it overrides for the template",
	"Template.memoize":                              "a node that ran is Running until its outputs are saved; nothing garbage-collects entries that are not hit",
}
