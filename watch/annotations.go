package watch

import "github.com/kubectl-wf/kubectl-wf/compile"

// Annotations the driver writes. On the workflow object: the workflow's
// status and the decisions that cannot be read back from Jobs. On a Job:
// its node's result, once its pod has ended, so that the pod may go.
const (
	AnnotationPhase        = compile.Domain + "/phase"
	AnnotationMessage      = compile.Domain + "/message"
	AnnotationProgress     = compile.Domain + "/progress"
	AnnotationStartedAt    = compile.Domain + "/started-at"
	AnnotationFinishedAt   = compile.Domain + "/finished-at"
	AnnotationSuspends     = compile.Domain + "/suspends"
	AnnotationResumeAll    = compile.Domain + "/resume-all"
	AnnotationResources    = compile.Domain + "/resources"
	AnnotationSuspended    = compile.Domain + "/suspended"
	AnnotationShutdown     = compile.Domain + "/shutdown"
	AnnotationCreateErrors = compile.Domain + "/create-errors"
	AnnotationResult       = compile.Domain + "/result"
	// AnnotationDaemoned holds a daemon pod's IP once it was seen ready:
	// from then on its node stays Daemoned while the pod runs.
	AnnotationDaemoned = compile.Domain + "/daemoned"
	// AnnotationLockWaits holds, by node ID, why a node waits for a lock
	// (Argo's message), for readers of the workflow.
	AnnotationLockWaits = compile.Domain + "/lock-waits"
	// AnnotationMemos holds, by node ID, each memoized node's cache
	// lookup as decided, and whether its outputs were saved.
	AnnotationMemos = compile.Domain + "/memos"
	// AnnotationInputErrors holds, by node ID, why a node's key-only
	// input names nothing (eval_input_errors.go).
	AnnotationInputErrors = compile.Domain + "/input-errors"

	// Pods carry the Job controller's label with their Job's name.
	labelJobName = "batch.kubernetes.io/job-name"
)
