package main

// ciEnvironment are objects Argo's CI installs beside the controller, not
// in the examples folder, that CI-tested examples rely on. They are
// applied like the folder's supporting objects.
//
// The ConfigMap artifact-repositories is the one Argo's quick-start and
// e2e manifests install: artifact-repository-ref.yaml names its key
// my-key, and a reference without a key takes the annotated default.
// kubectl-wf resolves such a reference as Argo does and keeps the
// artifacts in ConfigMaps whatever the repository says, so the values
// only need to be repositories.
func ciEnvironment() []object {
	repository := "s3:\n  bucket: my-bucket\n  endpoint: minio:9000\n  insecure: true\n"
	return []object{{
		File: "Argo's CI manifests",
		Kind: "ConfigMap",
		Body: map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata": map[string]any{
				"name":        "artifact-repositories",
				"annotations": map[string]any{"workflows.argoproj.io/default-artifact-repository": "default-v1"},
			},
			"data": map[string]any{"default-v1": repository, "my-key": repository, "empty": ""},
		},
	}}
}
