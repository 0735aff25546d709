package watch

import (
	"time"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Phase is a node's or a workflow's phase, named as Argo names them.
type Phase string

const (
	Pending   Phase = "Pending"
	Running   Phase = "Running"
	Succeeded Phase = "Succeeded"
	Failed    Phase = "Failed"
	Error     Phase = "Error"
	Skipped   Phase = "Skipped"
	Omitted   Phase = "Omitted"
)

// Completed reports whether a node ran and ended.
func (p Phase) Completed() bool { return p == Succeeded || p == Failed || p == Error }

// Fulfilled reports whether nothing more will happen to a node.
func (p Phase) Fulfilled() bool { return p.Completed() || p == Skipped || p == Omitted }

// Node is one node of a workflow's tree, as `kubectl wf get` shows it.
type Node struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	DisplayName string     `json:"displayName"`
	Type        string     `json:"type"`
	Template    string     `json:"templateName,omitempty"`
	Phase       Phase      `json:"phase"`
	Message     string     `json:"message,omitempty"`
	StartedAt   *time.Time `json:"startedAt,omitempty"`
	FinishedAt  *time.Time `json:"finishedAt,omitempty"`
	Job         string     `json:"job,omitempty"`
	Pod         string     `json:"podName,omitempty"`
	// HostNodeName is the node the pod ran on, as read from it (by Read).
	HostNodeName string `json:"hostNodeName,omitempty"`
	// Daemoned: a daemon's pod runs and is ready; its node counts as done
	// for what follows it, and runs until its scope ends. PodIP is its IP.
	Daemoned bool     `json:"daemoned,omitempty"`
	PodIP    string   `json:"podIP,omitempty"`
	Outputs  *Outputs `json:"outputs,omitempty"`
	Children []string `json:"children,omitempty"`
	// Memoization is a memoized node's cache lookup, once decided.
	Memoization *MemoizationStatus `json:"memoizationStatus,omitempty"`
}

// done reports whether what follows a node may start: it is fulfilled,
// or it is a daemon that runs and is ready.
func (n *Node) done() bool { return n.Phase.Fulfilled() || n.Daemoned }

// Outputs are what a node gave.
type Outputs struct {
	Result     *string           `json:"result,omitempty"`
	ExitCode   *string           `json:"exitCode,omitempty"`
	Parameters map[string]string `json:"parameters,omitempty"`
	// Artifacts are the output artifacts a pod saved.
	Artifacts []compile.StoredArtifact `json:"artifacts,omitempty"`
}

// Status is a whole workflow's state, derived from the cluster.
type Status struct {
	Phase    Phase  `json:"phase"`
	Message  string `json:"message,omitempty"`
	Progress string `json:"progress"`
	// Suspended: `kubectl wf suspend` holds new nodes back.
	Suspended bool   `json:"suspended,omitempty"`
	Root      string `json:"root"`
	// OnExit is the exit handler's node, once the workflow reached it.
	OnExit string           `json:"onExit,omitempty"`
	Nodes  map[string]*Node `json:"nodes"`
	// Outputs are the global output parameters exported so far (an
	// output parameter's globalName), as Argo's status.outputs.
	Outputs *Outputs `json:"outputs,omitempty"`
}
