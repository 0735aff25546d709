package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Workflow is an argoproj.io/v1alpha1 Workflow as a user writes it.
type Workflow struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty,omitzero"`
	Spec              WorkflowSpec `json:"spec"`
}

// WorkflowTemplate is a reusable WorkflowSpec stored under a name.
type WorkflowTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty,omitzero"`
	Spec              WorkflowSpec `json:"spec"`
}

// WorkflowSpec is the spec of a Workflow or WorkflowTemplate.
type WorkflowSpec struct {
	Templates                    []Template                        `json:"templates,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Entrypoint                   string                            `json:"entrypoint,omitempty"`
	Arguments                    Arguments                         `json:"arguments,omitempty,omitzero"`
	ServiceAccountName           string                            `json:"serviceAccountName,omitempty"`
	AutomountServiceAccountToken *bool                             `json:"automountServiceAccountToken,omitempty"`
	Executor                     *ExecutorConfig                   `json:"executor,omitempty"`
	Volumes                      []corev1.Volume                   `json:"volumes,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	VolumeClaimTemplates         []corev1.PersistentVolumeClaim    `json:"volumeClaimTemplates,omitempty"`
	Parallelism                  *int64                            `json:"parallelism,omitempty"`
	ArtifactRepositoryRef        *ArtifactRepositoryRef            `json:"artifactRepositoryRef,omitempty"`
	Suspend                      *bool                             `json:"suspend,omitempty"`
	NodeSelector                 map[string]string                 `json:"nodeSelector,omitempty"`
	Affinity                     *corev1.Affinity                  `json:"affinity,omitempty"`
	Tolerations                  []corev1.Toleration               `json:"tolerations,omitempty" patchStrategy:"merge" patchMergeKey:"key"`
	ImagePullSecrets             []corev1.LocalObjectReference     `json:"imagePullSecrets,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	HostNetwork                  *bool                             `json:"hostNetwork,omitempty"`
	DNSPolicy                    *corev1.DNSPolicy                 `json:"dnsPolicy,omitempty"`
	DNSConfig                    *corev1.PodDNSConfig              `json:"dnsConfig,omitempty"`
	OnExit                       string                            `json:"onExit,omitempty"`
	TTLStrategy                  *TTLStrategy                      `json:"ttlStrategy,omitempty"`
	ActiveDeadlineSeconds        *int64                            `json:"activeDeadlineSeconds,omitempty"`
	Priority                     *int32                            `json:"priority,omitempty"`
	SchedulerName                string                            `json:"schedulerName,omitempty"`
	PodGC                        *PodGC                            `json:"podGC,omitempty"`
	PodPriorityClassName         string                            `json:"podPriorityClassName,omitempty"`
	HostAliases                  []corev1.HostAlias                `json:"hostAliases,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	SecurityContext              *corev1.PodSecurityContext        `json:"securityContext,omitempty"`
	PodSpecPatch                 string                            `json:"podSpecPatch,omitempty"`
	PodDisruptionBudget          *policyv1.PodDisruptionBudgetSpec `json:"podDisruptionBudget,omitempty"`
	Metrics                      *Metrics                          `json:"metrics,omitempty"`
	Shutdown                     string                            `json:"shutdown,omitempty"`
	WorkflowTemplateRef          *WorkflowTemplateRef              `json:"workflowTemplateRef,omitempty"`
	Synchronization              *Synchronization                  `json:"synchronization,omitempty"`
	VolumeClaimGC                *VolumeClaimGC                    `json:"volumeClaimGC,omitempty"`
	RetryStrategy                *RetryStrategy                    `json:"retryStrategy,omitempty"`
	PodMetadata                  *Metadata                         `json:"podMetadata,omitempty"`
	TemplateDefaults             *Template                         `json:"templateDefaults,omitempty"`
	ArchiveLogs                  *bool                             `json:"archiveLogs,omitempty"`
	Hooks                        LifecycleHooks                    `json:"hooks,omitempty"`
	WorkflowMetadata             *WorkflowMetadata                 `json:"workflowMetadata,omitempty"`
	ArtifactGC                   *WorkflowLevelArtifactGC          `json:"artifactGC,omitempty"`
	ExecutorPlugins              []Object                          `json:"executorPlugins,omitempty"`
	PodResources                 *corev1.ResourceRequirements      `json:"podResources,omitempty"`
	ResourceClaims               []corev1.PodResourceClaim         `json:"resourceClaims,omitempty"`
}

// WorkflowTemplateRef runs the whole spec of a stored WorkflowTemplate.
type WorkflowTemplateRef struct {
	Name         string `json:"name,omitempty"`
	ClusterScope bool   `json:"clusterScope,omitempty"`
}

// TTLStrategy deletes a finished workflow after a while.
type TTLStrategy struct {
	SecondsAfterCompletion *int32 `json:"secondsAfterCompletion,omitempty"`
	SecondsAfterSuccess    *int32 `json:"secondsAfterSuccess,omitempty"`
	SecondsAfterFailure    *int32 `json:"secondsAfterFailure,omitempty"`
}

// PodGC says when pods of a workflow are deleted.
type PodGC struct {
	Strategy            string                `json:"strategy,omitempty"`
	LabelSelector       *metav1.LabelSelector `json:"labelSelector,omitempty"`
	DeleteDelayDuration string                `json:"deleteDelayDuration,omitempty"`
}

// VolumeClaimGC says when volumeClaimTemplates' claims are deleted.
type VolumeClaimGC struct {
	Strategy string `json:"strategy,omitempty"`
}

// Metadata is labels and annotations for pods.
type Metadata struct {
	Annotations map[string]string `json:"annotations,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

// WorkflowMetadata is metadata applied to the workflow object itself.
type WorkflowMetadata struct {
	Labels      map[string]string         `json:"labels,omitempty"`
	Annotations map[string]string         `json:"annotations,omitempty"`
	LabelsFrom  map[string]LabelValueFrom `json:"labelsFrom,omitempty"`
}

// LabelValueFrom computes a label value with an expression.
type LabelValueFrom struct {
	Expression string `json:"expression"`
}

// ExecutorConfig configures Argo's executor; kubectl-wf has none.
type ExecutorConfig struct {
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
}

// ArtifactRepositoryRef names an artifact repository ConfigMap.
type ArtifactRepositoryRef struct {
	ConfigMap string `json:"configMap,omitempty"`
	Key       string `json:"key,omitempty"`
}

// ArtifactGC says when output artifacts are deleted: an artifact's own
// overrides the workflow's (WorkflowLevelArtifactGC).
type ArtifactGC struct {
	Strategy           string    `json:"strategy,omitempty"`
	PodMetadata        *Metadata `json:"podMetadata,omitempty"`
	ServiceAccountName string    `json:"serviceAccountName,omitempty"`
}

// WorkflowLevelArtifactGC is spec.artifactGC: the default of every output
// artifact, and how Argo's garbage-collection pods run.
type WorkflowLevelArtifactGC struct {
	ArtifactGC            `json:",inline"`
	ForceFinalizerRemoval bool   `json:"forceFinalizerRemoval,omitempty"`
	PodSpecPatch          string `json:"podSpecPatch,omitempty"`
}

// Metrics are Prometheus metrics emitted by Argo's controller.
type Metrics struct {
	Prometheus []Prometheus `json:"prometheus"`
}

// Prometheus is one custom metric.
type Prometheus struct {
	Name      string        `json:"name"`
	Labels    []MetricLabel `json:"labels,omitempty"`
	Help      string        `json:"help"`
	When      string        `json:"when,omitempty"`
	Gauge     *Gauge        `json:"gauge,omitempty"`
	Histogram *Histogram    `json:"histogram,omitempty"`
	Counter   *Counter      `json:"counter,omitempty"`
}

// MetricLabel is a metric's label.
type MetricLabel struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Gauge is a gauge metric.
type Gauge struct {
	Value     string `json:"value,omitempty"`
	Realtime  *bool  `json:"realtime,omitempty"`
	Operation string `json:"operation,omitempty"`
}

// Histogram is a histogram metric.
type Histogram struct {
	Value   string   `json:"value"`
	Buckets []Amount `json:"buckets"`
}

// Counter is a counter metric.
type Counter struct {
	Value string `json:"value"`
}

// Synchronization holds mutexes and semaphores.
type Synchronization struct {
	Semaphores []SemaphoreRef `json:"semaphores,omitempty"`
	Mutexes    []Mutex        `json:"mutexes,omitempty"`
	Semaphore  *SemaphoreRef  `json:"semaphore,omitempty"`
	Mutex      *Mutex         `json:"mutex,omitempty"`
}

// SemaphoreRef names a semaphore's limit.
type SemaphoreRef struct {
	ConfigMapKeyRef *corev1.ConfigMapKeySelector `json:"configMapKeyRef,omitempty"`
	Namespace       string                       `json:"namespace,omitempty"`
	Database        *SyncDatabaseRef             `json:"database,omitempty"`
}

// Mutex is a named lock.
type Mutex struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Database  bool   `json:"database,omitempty"`
}

// SyncDatabaseRef is a database-backed lock's key.
type SyncDatabaseRef struct {
	Key string `json:"key"`
}
