package watch

import (
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// PodResult is what is known of one pod node's Job: its phase and, once it
// ended, its results.
type PodResult struct {
	Phase   Phase  `json:"phase"`
	Message string `json:"message,omitempty"`
	Pod     string `json:"pod,omitempty"`
	// HostNodeName is the Kubernetes node the pod runs on.
	HostNodeName string     `json:"hostNodeName,omitempty"`
	StartedAt    *time.Time `json:"startedAt,omitempty"`
	FinishedAt   *time.Time `json:"finishedAt,omitempty"`
	ExitCode     *int32     `json:"exitCode,omitempty"`
	Result       *string    `json:"result,omitempty"`
	// OutputFile is the content of the template's valueFrom.path output
	// file, nil when the container left none.
	OutputFile *string `json:"outputFile,omitempty"`
	// Artifacts are the output artifacts the pod saved, as kept
	// (artifacts.go).
	Artifacts []compile.StoredArtifact `json:"artifacts,omitempty"`
	// Containers are a containerSet's containers, by name.
	Containers map[string]ContainerResult `json:"containers,omitempty"`
	// Daemoned: the Job's daemon pod runs and is ready, at PodIP.
	Daemoned bool   `json:"daemoned,omitempty"`
	PodIP    string `json:"podIP,omitempty"`
	// Created is when the node's Job was made, which Argo counts a pending
	// node's timeout and pendingTimeout from (set while the pod has not ended).
	Created *time.Time `json:"created,omitempty"`
}

// ContainerResult is what is known of one container of a containerSet.
type ContainerResult struct {
	Phase      Phase      `json:"phase"`
	Message    string     `json:"message,omitempty"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
}

// SuspendState is what is recorded of a suspend node.
type SuspendState struct {
	StartedAt time.Time  `json:"startedAt"`
	ResumedAt *time.Time `json:"resumedAt,omitempty"`
}

// ResourceState is what is recorded of a resource node, which the driver
// runs itself: when it acted, on what, and how it ended.
type ResourceState struct {
	Phase      Phase             `json:"phase"`
	Message    string            `json:"message,omitempty"`
	StartedAt  time.Time         `json:"startedAt"`
	FinishedAt *time.Time        `json:"finishedAt,omitempty"`
	Object     *ObjectRef        `json:"object,omitempty"`
	Outputs    map[string]string `json:"outputs,omitempty"`
}

// ObjectRef names the object a resource node acted on.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Observed is everything the evaluation reads from the cluster.
type Observed struct {
	// Jobs by name; a Job that does not exist is absent.
	Jobs map[string]PodResult
	// Suspends by node name; a suspend node not reached yet is absent.
	Suspends map[string]SuspendState
	// Suspended holds back every node not started yet (`kubectl wf
	// suspend`), as Argo's spec.suspend does.
	Suspended bool
	// Shutdown is "Stop" or "Terminate" once `kubectl wf stop|terminate`
	// was given: nothing new starts and what runs is stopped.
	Shutdown string
	// StartedAt is when the workflow started (its first reconcile), for
	// spec.activeDeadlineSeconds; nil before.
	StartedAt *time.Time
	// Resources by node name; a resource node not acted on yet is absent.
	Resources map[string]ResourceState
	// ResumeAll resumes every suspend node reached (`resume` with no
	// selector), as of that time.
	ResumeAll *time.Time
	// Namespace is the workflow's: lock keys name it, as Argo's do.
	Namespace string
	// Locks are the lock keys each node (by ID) holds, for templates with
	// synchronization.
	Locks map[string][]string
	// Memos are the cache lookups decided for memoized nodes, by node ID.
	Memos map[string]MemoState
	// InputErrors are the errors recorded for nodes whose key-only
	// inputs named nothing, by node ID.
	InputErrors map[string]string
	// WorkflowError ends the workflow in Error before any node runs
	// (AnnotationWorkflowError).
	WorkflowError string
	Now           time.Time
}

// PodToCreate is a Job (and a script's ConfigMap) that is ready to run.
type PodToCreate struct {
	Node   string
	Job    *batchv1.Job
	Script *corev1.ConfigMap
}

// Actions are what the evaluation wants done, all idempotent.
type Actions struct {
	Create []PodToCreate
	// StartSuspends are suspend nodes reached now, whose start must be
	// recorded before anything relies on it.
	StartSuspends []string
	// StopJobs are running Jobs to stop on shutdown, each with the result
	// to record on it first.
	StopJobs []JobToStop
	// Resources are resource nodes to act on, or whose object to check.
	Resources []ResourceToRun
	// AcquireLocks are nodes that may start once they hold their locks,
	// in evaluation order; ReleaseLocks are nodes (by ID) that ended
	// holding locks.
	AcquireLocks []LockRequest
	ReleaseLocks []string
	// DecideMemos are memoized nodes whose cache lookup is to be decided
	// and recorded; SaveMemos are nodes whose outputs are to be saved.
	DecideMemos []MemoLookup
	SaveMemos   []MemoSave
	// RecordInputErrors are nodes whose key-only inputs name nothing,
	// an error to record before the node errs (eval_input_errors.go).
	RecordInputErrors []InputError
	// WakeAt is when a timed event (a suspend's duration) falls due.
	WakeAt *time.Time
}

// LockRequest is a node waiting for the locks of its template's
// synchronization.
type LockRequest struct {
	Node  string // its ID
	locks []lockSpec
}

// ResourceToRun is a resource node the driver acts on, or keeps checking
// while its object meets neither condition.
type ResourceToRun struct {
	Node     string
	Template *wfv1.Template
	// State is nil until the action has been done.
	State *ResourceState
}

// JobToStop is a running Job stopped by a shutdown.
type JobToStop struct {
	Job    string
	Result PodResult
}
