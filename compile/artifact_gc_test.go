package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGCOnCompletionAnnotation: a pod's Job names the artifacts that go
// when the workflow ends: an artifact's own strategy wins over the
// workflow's, and archived logs take the workflow's, as in Argo.
func TestGCOnCompletionAnnotation(t *testing.T) {
	templates := `  - name: main
    steps:
    - - {name: own, template: own}
      - {name: plain, template: plain}
      - {name: logs, template: logs}
  - name: own
    outputs:
      artifacts:
      - {name: done, path: /a, artifactGC: {strategy: OnWorkflowCompletion}}
      - {name: kept, path: /b, artifactGC: {strategy: OnWorkflowDeletion}}
      - {name: never, path: /c, artifactGC: {strategy: Never}}
      - {name: default, path: /d}
    container: {image: busybox, command: ["true"]}
  - name: plain
    container: {image: busybox, command: ["true"]}
  - name: logs
    archiveLocation: {archiveLogs: true}
    outputs: {artifacts: [{name: a, path: /a}]}
    container: {image: busybox, command: ["true"]}
`
	tests := []struct {
		name, spec string
		want       map[string]string // template: annotation, of the Jobs that have one
	}{{
		name: "no workflow strategy: only the artifact's own",
		want: map[string]string{"own": "done"},
	}, {
		name: "workflow OnWorkflowDeletion, as artifact-gc-workflow.yaml",
		spec: "  artifactGC: {strategy: OnWorkflowDeletion}\n",
		want: map[string]string{"own": "done"},
	}, {
		name: "workflow OnWorkflowCompletion: defaults and archived logs too",
		spec: "  artifactGC: {strategy: OnWorkflowCompletion}\n",
		want: map[string]string{"own": "done,default", "logs": "a,main-logs"},
	}, {
		name: "workflow Never",
		spec: "  artifactGC: {strategy: Never}\n",
		want: map[string]string{"own": "done"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := lintHead + tt.spec + "  templates:\n" + templates
			plan := compileYAML(t, src, nil)
			got := map[string]string{}
			for _, j := range plan.Jobs {
				if v, ok := j.Annotations[AnnotationGCOnCompletion]; ok {
					got[j.Annotations[AnnotationTemplate]] = v
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("artifacts deleted on completion, by template (-want +got):\n%s", d)
			}
		})
	}
}

// TestArtifactGCDiagnostics: strategies are Argo's three; the fields that
// configure Argo's garbage-collection pod are errors at the field; an
// artifact a steps template passes on takes no strategy of its own;
// artifactRepositoryRef is a warning, never silent.
func TestArtifactGCDiagnostics(t *testing.T) {
	container := "    container: {image: busybox, command: [\"true\"]}\n"
	tests := []struct {
		name, body string
		want       []string
	}{{
		name: "artifact-gc-workflow.yaml's shape lints clean",
		body: `  artifactGC: {strategy: OnWorkflowDeletion, forceFinalizerRemoval: true}
  templates:
  - name: main
    outputs:
      artifacts:
      - {name: a, path: /a, s3: {key: a.txt}, artifactGC: {strategy: OnWorkflowCompletion}}
      - {name: b, path: /b, artifactGC: {strategy: Never}}
      - {name: c, path: /c, artifactGC: {}}
` + container,
	}, {
		name: "unknown strategies",
		body: `  artifactGC: {strategy: OnCompletion}
  templates:
  - name: main
    outputs: {artifacts: [{name: a, path: /a, artifactGC: {strategy: Always}}]}
` + container,
		want: []string{
			`f.yaml:6:26: unknown artifactGC strategy "OnCompletion": one of OnWorkflowCompletion, OnWorkflowDeletion, Never`,
			`f.yaml:9:70: unknown artifactGC strategy "Always": one of OnWorkflowCompletion, OnWorkflowDeletion, Never`,
		},
	}, {
		name: "the garbage-collection pod's fields",
		body: `  artifactGC:
    strategy: OnWorkflowCompletion
    serviceAccountName: gc
    podMetadata: {labels: {a: b}}
    podSpecPatch: "{}"
  templates:
  - name: main
    outputs:
      artifacts:
      - name: a
        path: /a
        artifactGC: {serviceAccountName: gc, podMetadata: {annotations: {a: b}}}
` + container,
		want: []string{
			"f.yaml:8:5: not supported: spec.artifactGC.serviceAccountName: " + noGCPod,
			"f.yaml:9:5: not supported: spec.artifactGC.podMetadata: " + noGCPod,
			"f.yaml:10:5: not supported: spec.artifactGC.podSpecPatch: " + noGCPod,
			"f.yaml:17:22: not supported: spec.templates[0].outputs.artifacts[0].artifactGC.serviceAccountName: " + noGCPod,
			"f.yaml:17:46: not supported: spec.templates[0].outputs.artifacts[0].artifactGC.podMetadata: " + noGCPod,
		},
	}, {
		name: "an artifact a steps template passes on",
		body: `  templates:
  - name: main
    steps: [[{name: s, template: save}]]
    outputs:
      artifacts:
      - {name: a, from: "{{steps.s.outputs.artifacts.a}}", artifactGC: {strategy: OnWorkflowCompletion}}
  - name: save
    outputs: {artifacts: [{name: a, path: /a}]}
` + container,
		want: []string{
			"f.yaml:11:60: not supported: spec.templates[0].outputs.artifacts[0].artifactGC: artifactGC on an artifact passed on from a child (from, fromExpression) is not supported yet; set it where the artifact is saved",
		},
	}, {
		name: "deleted is status",
		body: `  templates:
  - name: main
    outputs: {artifacts: [{name: a, path: /a, deleted: true}]}
` + container,
		want: []string{
			"f.yaml:8:47: not supported: spec.templates[0].outputs.artifacts[0].deleted: deleted is status: Argo's controller sets it once artifactGC deleted the artifact",
		},
	}, {
		name: "artifactRepositoryRef warns",
		body: `  artifactRepositoryRef: {key: my-key}
  templates:
  - name: main
    outputs: {artifacts: [{name: a, path: /a}]}
` + container,
		want: []string{"f.yaml:6:3: warning: " + repositoryNotUsed},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDiagnostics(t, lintHead+tt.body, tt.want)
		})
	}
}
