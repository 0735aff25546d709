package watch

import (
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// PodResult is what is known of one pod node's Job: its phase and, once it
// ended, its results.
type PodResult struct {
	Phase      Phase      `json:"phase"`
	Message    string     `json:"message,omitempty"`
	Pod        string     `json:"pod,omitempty"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
	ExitCode   *int32     `json:"exitCode,omitempty"`
	Result     *string    `json:"result,omitempty"`
	// OutputFile is the content of the template's valueFrom.path output
	// file, nil when the container left none.
	OutputFile *string `json:"outputFile,omitempty"`
}

// SuspendState is what is recorded of a suspend node.
type SuspendState struct {
	StartedAt time.Time  `json:"startedAt"`
	ResumedAt *time.Time `json:"resumedAt,omitempty"`
}

// Observed is everything the evaluation reads from the cluster.
type Observed struct {
	// Jobs by name; a Job that does not exist is absent.
	Jobs map[string]PodResult
	// Suspends by node name; a suspend node not reached yet is absent.
	Suspends map[string]SuspendState
	// ResumeAll resumes every suspend node reached (`resume` with no
	// selector), as of that time.
	ResumeAll *time.Time
	Now       time.Time
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
	// WakeAt is when a timed event (a suspend's duration) falls due.
	WakeAt *time.Time
}
