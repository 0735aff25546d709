package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Template is one unit of work or composition in a workflow. Exactly one of
// Container, Script, Resource, Suspend, Steps, DAG, HTTP, Data, ContainerSet
// and Plugin is set.
type Template struct {
	Name                         string                       `json:"name,omitempty"`
	Inputs                       Inputs                       `json:"inputs,omitempty,omitzero"`
	Outputs                      Outputs                      `json:"outputs,omitempty,omitzero"`
	NodeSelector                 map[string]string            `json:"nodeSelector,omitempty"`
	Affinity                     *corev1.Affinity             `json:"affinity,omitempty"`
	Metadata                     Metadata                     `json:"metadata,omitempty,omitzero"`
	Daemon                       *bool                        `json:"daemon,omitempty"`
	Steps                        []ParallelSteps              `json:"steps,omitempty"`
	Container                    *corev1.Container            `json:"container,omitempty"`
	ContainerSet                 *ContainerSetTemplate        `json:"containerSet,omitempty"`
	Script                       *ScriptTemplate              `json:"script,omitempty"`
	Resource                     *ResourceTemplate            `json:"resource,omitempty"`
	DAG                          *DAGTemplate                 `json:"dag,omitempty"`
	Suspend                      *SuspendTemplate             `json:"suspend,omitempty"`
	Data                         *Data                        `json:"data,omitempty"`
	HTTP                         *HTTP                        `json:"http,omitempty"`
	Plugin                       *Plugin                      `json:"plugin,omitempty"`
	Volumes                      []corev1.Volume              `json:"volumes,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	InitContainers               []UserContainer              `json:"initContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Sidecars                     []UserContainer              `json:"sidecars,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	ArchiveLocation              *ArtifactLocation            `json:"archiveLocation,omitempty"`
	ActiveDeadlineSeconds        *intstr.IntOrString          `json:"activeDeadlineSeconds,omitempty"`
	RetryStrategy                *RetryStrategy               `json:"retryStrategy,omitempty"`
	Parallelism                  *int64                       `json:"parallelism,omitempty"`
	FailFast                     *bool                        `json:"failFast,omitempty"`
	Tolerations                  []corev1.Toleration          `json:"tolerations,omitempty" patchStrategy:"merge" patchMergeKey:"key"`
	SchedulerName                string                       `json:"schedulerName,omitempty"`
	PriorityClassName            string                       `json:"priorityClassName,omitempty"`
	ServiceAccountName           string                       `json:"serviceAccountName,omitempty"`
	AutomountServiceAccountToken *bool                        `json:"automountServiceAccountToken,omitempty"`
	Executor                     *ExecutorConfig              `json:"executor,omitempty"`
	HostAliases                  []corev1.HostAlias           `json:"hostAliases,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	SecurityContext              *corev1.PodSecurityContext   `json:"securityContext,omitempty"`
	PodSpecPatch                 string                       `json:"podSpecPatch,omitempty"`
	Metrics                      *Metrics                     `json:"metrics,omitempty"`
	Synchronization              *Synchronization             `json:"synchronization,omitempty"`
	Memoize                      *Memoize                     `json:"memoize,omitempty"`
	Timeout                      string                       `json:"timeout,omitempty"`
	Annotations                  map[string]string            `json:"annotations,omitempty"`
	PendingTimeout               string                       `json:"pendingTimeout,omitempty"`
	PodResources                 *corev1.ResourceRequirements `json:"podResources,omitempty"`
	ResourceClaims               []corev1.PodResourceClaim    `json:"resourceClaims,omitempty"`
}

// ParallelSteps is one group of steps that run at the same time. In YAML it
// is a plain list, so it decodes from a sequence.
type ParallelSteps struct {
	Steps []WorkflowStep `json:"-"`
}

// UserContainer is a sidecar or init container.
type UserContainer struct {
	corev1.Container   `json:",inline"`
	MirrorVolumeMounts *bool `json:"mirrorVolumeMounts,omitempty"`
}

// ScriptTemplate is a container whose source is run by its command.
type ScriptTemplate struct {
	corev1.Container `json:",inline"`
	Source           string `json:"source"`
}

// ResourceTemplate acts on one Kubernetes object.
type ResourceTemplate struct {
	Action            string        `json:"action"`
	MergeStrategy     string        `json:"mergeStrategy,omitempty"`
	Manifest          string        `json:"manifest,omitempty"`
	ManifestFrom      *ManifestFrom `json:"manifestFrom,omitempty"`
	SetOwnerReference bool          `json:"setOwnerReference,omitempty"`
	SuccessCondition  string        `json:"successCondition,omitempty"`
	FailureCondition  string        `json:"failureCondition,omitempty"`
	Flags             []string      `json:"flags,omitempty"`
}

// ManifestFrom takes a resource manifest from an artifact.
type ManifestFrom struct {
	Artifact *Artifact `json:"artifact"`
}

// SuspendTemplate pauses until resumed or for a duration.
type SuspendTemplate struct {
	Duration string `json:"duration,omitempty"`
}

// ContainerSetTemplate runs several containers in one pod.
type ContainerSetTemplate struct {
	Containers    []ContainerNode            `json:"containers"`
	VolumeMounts  []corev1.VolumeMount       `json:"volumeMounts,omitempty"`
	RetryStrategy *ContainerSetRetryStrategy `json:"retryStrategy,omitempty"`
}

// ContainerNode is one container of a containerSet.
type ContainerNode struct {
	corev1.Container `json:",inline"`
	Dependencies     []string `json:"dependencies,omitempty"`
}

// ContainerSetRetryStrategy retries containers inside a containerSet pod.
type ContainerSetRetryStrategy struct {
	Duration string              `json:"duration,omitempty"`
	Retries  *intstr.IntOrString `json:"retries"`
}

// HTTP makes an HTTP request.
type HTTP struct {
	Method             string          `json:"method,omitempty"`
	URL                string          `json:"url"`
	Headers            []HTTPHeader    `json:"headers,omitempty"`
	TimeoutSeconds     *int64          `json:"timeoutSeconds,omitempty"`
	SuccessCondition   string          `json:"successCondition,omitempty"`
	Body               string          `json:"body,omitempty"`
	BodyFrom           *HTTPBodySource `json:"bodyFrom,omitempty"`
	InsecureSkipVerify bool            `json:"insecureSkipVerify,omitempty"`
}

// HTTPHeader is one request header.
type HTTPHeader struct {
	Name      string            `json:"name"`
	Value     string            `json:"value,omitempty"`
	ValueFrom *HTTPHeaderSource `json:"valueFrom,omitempty"`
}

// HTTPHeaderSource takes a header value from a Secret.
type HTTPHeaderSource struct {
	SecretKeyRef *corev1.SecretKeySelector `json:"secretKeyRef,omitempty"`
}

// HTTPBodySource is a request body given as bytes.
type HTTPBodySource struct {
	Bytes []byte `json:"bytes,omitempty"`
}

// Data sources and transforms data.
type Data struct {
	Source         DataSource           `json:"source"`
	Transformation []TransformationStep `json:"transformation"`
}

// DataSource is where a data template reads from.
type DataSource struct {
	ArtifactPaths *ArtifactPaths `json:"artifactPaths,omitempty"`
}

// ArtifactPaths lists artifacts of a repository.
type ArtifactPaths struct {
	Artifact `json:",inline"`
}

// TransformationStep is one expression applied to data.
type TransformationStep struct {
	Expression string `json:"expression"`
}

// Plugin is an executor plugin invocation; its body is free-form.
type Plugin struct {
	Object `json:",inline"`
}

// Memoize caches a template's outputs under a key.
type Memoize struct {
	Key    string `json:"key"`
	Cache  *Cache `json:"cache"`
	MaxAge string `json:"maxAge"`
}

// Cache is the memoization cache: a ConfigMap of the workflow's namespace,
// named only, as in Argo.
type Cache struct {
	ConfigMap *corev1.LocalObjectReference `json:"configMap"`
}
