package v1alpha1

import corev1 "k8s.io/api/core/v1"

// Arguments are the values passed to a template or workflow.
type Arguments struct {
	Parameters []Parameter `json:"parameters,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Artifacts  []Artifact  `json:"artifacts,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
}

// Inputs are what a template takes.
type Inputs struct {
	Parameters []Parameter `json:"parameters,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Artifacts  []Artifact  `json:"artifacts,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
}

// Outputs are what a template gives.
type Outputs struct {
	Parameters []Parameter `json:"parameters,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Artifacts  []Artifact  `json:"artifacts,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Result     *string     `json:"result,omitempty"`
	ExitCode   *string     `json:"exitCode,omitempty"`
}

// Parameter is a named string value. Value and Default accept any scalar in
// YAML and keep it as a string, as Argo's AnyString does.
type Parameter struct {
	Name        string      `json:"name"`
	Default     *AnyString  `json:"default,omitempty"`
	Value       *AnyString  `json:"value,omitempty"`
	ValueFrom   *ValueFrom  `json:"valueFrom,omitempty"`
	GlobalName  string      `json:"globalName,omitempty"`
	Enum        []AnyString `json:"enum,omitempty"`
	Description *AnyString  `json:"description,omitempty"`
}

// ValueFrom says where an output (or global) parameter's value comes from.
type ValueFrom struct {
	Path            string                       `json:"path,omitempty"`
	JSONPath        string                       `json:"jsonPath,omitempty"`
	JQFilter        string                       `json:"jqFilter,omitempty"`
	Event           string                       `json:"event,omitempty"`
	Parameter       string                       `json:"parameter,omitempty"`
	Supplied        *SuppliedValueFrom           `json:"supplied,omitempty"`
	ConfigMapKeyRef *corev1.ConfigMapKeySelector `json:"configMapKeyRef,omitempty"`
	Default         *AnyString                   `json:"default,omitempty"`
	Expression      string                       `json:"expression,omitempty"`
}

// SuppliedValueFrom marks a value supplied later by resume or node set.
type SuppliedValueFrom struct{}

// Artifact is a file or directory passed between steps; kubectl-wf does not
// move artifacts yet, so only its name and a raw value are modelled closely.
type Artifact struct {
	Name             string      `json:"name"`
	Path             string      `json:"path,omitempty"`
	Mode             *int32      `json:"mode,omitempty"`
	From             string      `json:"from,omitempty"`
	GlobalName       string      `json:"globalName,omitempty"`
	SubPath          string      `json:"subPath,omitempty"`
	Optional         bool        `json:"optional,omitempty"`
	FromExpression   string      `json:"fromExpression,omitempty"`
	Deleted          bool        `json:"deleted,omitempty"`
	RecurseMode      bool        `json:"recurseMode,omitempty"`
	Archive          *Object     `json:"archive,omitempty"`
	ArtifactGC       *ArtifactGC `json:"artifactGC,omitempty"`
	ArtifactLocation `json:",inline"`
}

// ArtifactLocation is where an artifact lives. Repository drivers are kept
// opaque: kubectl-wf reports them as not supported, except raw.
type ArtifactLocation struct {
	ArchiveLogs *bool         `json:"archiveLogs,omitempty"`
	S3          *S3Artifact   `json:"s3,omitempty"`
	Git         *Object       `json:"git,omitempty"`
	HTTP        *HTTPArtifact `json:"http,omitempty"`
	Artifactory *Object       `json:"artifactory,omitempty"`
	HDFS        *Object       `json:"hdfs,omitempty"`
	Raw         *RawArtifact  `json:"raw,omitempty"`
	OSS         *Object       `json:"oss,omitempty"`
	GCS         *Object       `json:"gcs,omitempty"`
	Azure       *Object       `json:"azure,omitempty"`
	Plugin      *Object       `json:"plugin,omitempty"`
}

// S3Artifact is an s3 location. kubectl-wf has no artifact repository:
// it runs key-only ones (Key alone), whose key names an artifact of the
// workflow's own; every other field is reported as not supported.
type S3Artifact struct {
	Endpoint                 string                    `json:"endpoint,omitempty"`
	Bucket                   string                    `json:"bucket,omitempty"`
	Region                   string                    `json:"region,omitempty"`
	Insecure                 *bool                     `json:"insecure,omitempty"`
	AccessKeySecret          *corev1.SecretKeySelector `json:"accessKeySecret,omitempty"`
	SecretKeySecret          *corev1.SecretKeySelector `json:"secretKeySecret,omitempty"`
	SessionTokenSecret       *corev1.SecretKeySelector `json:"sessionTokenSecret,omitempty"`
	RoleARN                  string                    `json:"roleARN,omitempty"`
	UseSDKCreds              bool                      `json:"useSDKCreds,omitempty"`
	CreateBucketIfNotPresent *Object                   `json:"createBucketIfNotPresent,omitempty"`
	EncryptionOptions        *Object                   `json:"encryptionOptions,omitempty"`
	CASecret                 *corev1.SecretKeySelector `json:"caSecret,omitempty"`
	AddressingStyle          string                    `json:"addressingStyle,omitempty"`
	Key                      string                    `json:"key,omitempty"`
}

// HTTPArtifact is an input artifact fetched with an HTTP GET.
type HTTPArtifact struct {
	URL     string    `json:"url"`
	Headers []Header  `json:"headers,omitempty"`
	Auth    *HTTPAuth `json:"auth,omitempty"`
}

// Header is a request header of an HTTPArtifact.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HTTPAuth is how an HTTPArtifact's request authenticates; kubectl-wf
// runs basic auth.
type HTTPAuth struct {
	ClientCert *Object    `json:"clientCert,omitempty"`
	OAuth2     *Object    `json:"oauth2,omitempty"`
	BasicAuth  *BasicAuth `json:"basicAuth,omitempty"`
}

// BasicAuth takes a user name and password from Secrets.
type BasicAuth struct {
	UsernameSecret *corev1.SecretKeySelector `json:"usernameSecret,omitempty"`
	PasswordSecret *corev1.SecretKeySelector `json:"passwordSecret,omitempty"`
}

// RawArtifact is an artifact given inline.
type RawArtifact struct {
	Data string `json:"data"`
}
