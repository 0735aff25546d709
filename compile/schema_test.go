package compile

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// TestSchemaWalkDecodesAsJSON checks that decoding straight from the YAML
// tree gives what encoding/json gives for the same document as JSON: nulls,
// empty lists, inline structs, merge keys, types that decode themselves.
// (No value is y or n, which sigs.k8s.io/yaml reads as YAML 1.1 booleans.)
func TestSchemaWalkDecodesAsJSON(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: edge
  labels: {a.b/c: x, empty: , none: null}
  annotations: {}
  creationTimestamp: 2024-01-02T03:04:05Z
spec:
  entrypoint: main
  activeDeadlineSeconds: 0x10
  arguments:
    parameters:
    - {name: a, value: 3}
    - {name: b, value: true}
    - {name: d, value: null}
    - {name: e, default: x, description: 2}
  nodeSelector: null
  tolerations: []
  volumes:
  - name: v
    configMap: {name: cm, defaultMode: 0644, items: []}
  - name: w
    emptyDir: {sizeLimit: 1Gi, medium: ""}
  templates:
  - name: main
    steps:
    - - name: a
        template: c
        withItems: [1, two, {k: v, a: [1, 2]}, null, [x, z], 1.5, true, "<&>"]
      - name: b
        template: c
        withItems: []
        arguments: {parameters: [{name: p, value: "{{item}}"}]}
    - []
    - - name: s
        template: c
        withSequence: {count: "3", start: 1, format: "%02d"}
  - name: c
    inputs: {parameters: [{name: p, default: x}]}
    outputs: {parameters: [{name: o, valueFrom: {path: /tmp/o, default: 5}}]}
    activeDeadlineSeconds: "{{inputs.parameters.p}}"
    metadata: {labels: {l: "{{inputs.parameters.p}}"}, annotations: null}
    container: &ctr
      image: busybox
      command: [sh, -c]
      env:
      - {name: A, value: "1"}
      - {name: B, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
      ports: [{containerPort: 8080, protocol: TCP}]
      resources: {limits: {cpu: 500m, memory: 1000Mi}, requests: {cpu: 0.5, memory: 1e3}}
      securityContext: {runAsUser: 1000, privileged: false}
      livenessProbe: {tcpSocket: {port: http}, periodSeconds: 5}
  - name: d
    script:
      <<: *ctr
      workingDir: /w
      source: print(1)
  - name: dag
    dag:
      tasks:
      - {name: x, template: c}
      - {name: t2, dependencies: [x], template: c, withParam: "{{tasks.x.outputs.result}}"}
  - name: sus
    suspend: {duration: 10s}
`
	docs, diags := ParseFile("f.yaml", []byte(src))
	if len(diags) > 0 || len(docs) != 1 {
		t.Fatalf("ParseFile: %d docs, diagnostics %v", len(docs), diags.Errors())
	}
	var want wfv1.Workflow
	if err := sigsyaml.Unmarshal([]byte(src), &want); err != nil {
		t.Fatal(err)
	}
	exportAll := cmp.Exporter(func(reflect.Type) bool { return true })
	if d := cmp.Diff(want.ObjectMeta, docs[0].Metadata, exportAll); d != "" {
		t.Errorf("metadata (-json +walk):\n%s", d)
	}
	if d := cmp.Diff(want.Spec, docs[0].Spec, exportAll); d != "" {
		t.Errorf("spec (-json +walk):\n%s", d)
	}
}
