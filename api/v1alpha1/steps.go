package v1alpha1

import "k8s.io/apimachinery/pkg/util/intstr"

// WorkflowStep is one step of a steps template.
type WorkflowStep struct {
	Name         string         `json:"name,omitempty"`
	Template     string         `json:"template,omitempty"`
	Inline       *Template      `json:"inline,omitempty"`
	Arguments    Arguments      `json:"arguments,omitempty,omitzero"`
	TemplateRef  *TemplateRef   `json:"templateRef,omitempty"`
	WithItems    []Item         `json:"withItems,omitempty"`
	WithParam    string         `json:"withParam,omitempty"`
	WithSequence *Sequence      `json:"withSequence,omitempty"`
	When         string         `json:"when,omitempty"`
	ContinueOn   *ContinueOn    `json:"continueOn,omitempty"`
	OnExit       string         `json:"onExit,omitempty"`
	Hooks        LifecycleHooks `json:"hooks,omitempty"`
}

// DAGTemplate is a graph of tasks.
type DAGTemplate struct {
	Target   string    `json:"target,omitempty"`
	Tasks    []DAGTask `json:"tasks"`
	FailFast *bool     `json:"failFast,omitempty"`
}

// DAGTask is one node of a DAG.
type DAGTask struct {
	Name         string         `json:"name"`
	Template     string         `json:"template,omitempty"`
	Inline       *Template      `json:"inline,omitempty"`
	Arguments    Arguments      `json:"arguments,omitempty,omitzero"`
	TemplateRef  *TemplateRef   `json:"templateRef,omitempty"`
	Dependencies []string       `json:"dependencies,omitempty"`
	WithItems    []Item         `json:"withItems,omitempty"`
	WithParam    string         `json:"withParam,omitempty"`
	WithSequence *Sequence      `json:"withSequence,omitempty"`
	When         string         `json:"when,omitempty"`
	ContinueOn   *ContinueOn    `json:"continueOn,omitempty"`
	OnExit       string         `json:"onExit,omitempty"`
	Depends      string         `json:"depends,omitempty"`
	Hooks        LifecycleHooks `json:"hooks,omitempty"`
}

// TemplateRef points at a template of a stored WorkflowTemplate.
type TemplateRef struct {
	Name         string `json:"name,omitempty"`
	Template     string `json:"template,omitempty"`
	ClusterScope bool   `json:"clusterScope,omitempty"`
}

// Sequence expands a step into numbered copies.
type Sequence struct {
	Count  *intstr.IntOrString `json:"count,omitempty"`
	Start  *intstr.IntOrString `json:"start,omitempty"`
	End    *intstr.IntOrString `json:"end,omitempty"`
	Format string              `json:"format,omitempty"`
}

// ContinueOn lets a failed or errored child not fail its parent.
type ContinueOn struct {
	Error  bool `json:"error,omitempty"`
	Failed bool `json:"failed,omitempty"`
}

// LifecycleHooks maps an event name (or "exit") to a hook.
type LifecycleHooks map[string]LifecycleHook

// LifecycleHook runs a template when its expression becomes true.
type LifecycleHook struct {
	Template    string       `json:"template,omitempty"`
	Arguments   Arguments    `json:"arguments,omitempty,omitzero"`
	TemplateRef *TemplateRef `json:"templateRef,omitempty"`
	Expression  string       `json:"expression,omitempty"`
}

// RetryStrategy says when and how often a failed node is retried.
type RetryStrategy struct {
	Limit       *intstr.IntOrString `json:"limit,omitempty"`
	RetryPolicy string              `json:"retryPolicy,omitempty"`
	Backoff     *Backoff            `json:"backoff,omitempty"`
	Affinity    *RetryAffinity      `json:"affinity,omitempty"`
	Expression  string              `json:"expression,omitempty"`
}

// Backoff spaces retries.
type Backoff struct {
	Duration    string              `json:"duration,omitempty"`
	Factor      *intstr.IntOrString `json:"factor,omitempty"`
	MaxDuration string              `json:"maxDuration,omitempty"`
	Cap         string              `json:"cap,omitempty"`
}

// RetryAffinity keeps retries off the nodes that failed.
type RetryAffinity struct {
	NodeAntiAffinity *struct{} `json:"nodeAntiAffinity,omitempty"`
}

// Retry policies.
const (
	RetryPolicyAlways           = "Always"
	RetryPolicyOnFailure        = "OnFailure"
	RetryPolicyOnError          = "OnError"
	RetryPolicyOnTransientError = "OnTransientError"
)
