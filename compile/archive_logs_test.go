package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestArchiveLogsAnnotation: a pod's Job names the containers whose logs
// are archived; a template's archiveLocation.archiveLogs wins over the
// workflow's spec.archiveLogs, as in Argo; an http template's request
// archives no log.
func TestArchiveLogsAnnotation(t *testing.T) {
	templates := `  - name: main
    steps:
    - - {name: c, template: c}
      - {name: s, template: s}
      - {name: set, template: set}
      - {name: off, template: off}
      - {name: on, template: on}
      - {name: h, template: h}
  - name: c
    container: {image: busybox, command: ["true"]}
  - name: s
    script: {image: busybox, command: [sh], source: "true"}
  - name: set
    containerSet:
      containers:
      - {name: a, image: busybox, command: ["true"]}
      - {name: b, image: busybox, command: ["true"], dependencies: [a]}
  - name: off
    archiveLocation: {archiveLogs: false}
    container: {image: busybox, command: ["true"]}
  - name: on
    archiveLocation: {archiveLogs: true}
    container: {image: busybox, command: ["true"]}
  - name: h
    archiveLocation: {archiveLogs: true}
    http: {url: "http://example.com"}
`
	tests := []struct {
		name, spec string
		want       map[string]string // template: annotation, of the Jobs that have one
	}{{
		name: "workflow archives, one template does not",
		spec: "  archiveLogs: true\n",
		want: map[string]string{"c": "main", "s": "main", "set": "a,b", "on": "main"},
	}, {
		name: "workflow does not, one template does",
		spec: "  archiveLogs: false\n",
		want: map[string]string{"on": "main"},
	}, {
		name: "workflow silent",
		want: map[string]string{"on": "main"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  entrypoint: main\n" + tt.spec + "  templates:\n" + templates
			plan := compileYAML(t, src, nil)
			got := map[string]string{}
			for _, j := range plan.Jobs {
				if v, ok := j.Annotations[AnnotationArchiveLogs]; ok {
					got[j.Annotations[AnnotationTemplate]] = v
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("archived logs by template (-want +got):\n%s", d)
			}
		})
	}
}

// TestArchiveLocationDiagnostics: archiveLocation may only set
// archiveLogs; a repository is an error at its field.
func TestArchiveLocationDiagnostics(t *testing.T) {
	head := lintHead + "  archiveLogs: true\n"
	tests := []struct {
		name, body string
		want       []string
	}{{
		name: "archiveLogs alone",
		body: `  templates:
  - name: main
    archiveLocation: {archiveLogs: true}
    container: {image: busybox}
`,
	}, {
		name: "a repository, at its field",
		body: `  templates:
  - name: main
    archiveLocation:
      archiveLogs: true
      s3: {bucket: b, key: k}
    container: {image: busybox}
  - name: other
    archiveLocation: {gcs: {bucket: b}}
    container: {image: busybox}
`,
		want: []string{
			"f.yaml:11:7: not supported: spec.templates[0].archiveLocation.s3: " + archiveRepository,
			"f.yaml:14:23: not supported: spec.templates[1].archiveLocation.gcs: " + archiveRepository,
		},
	}, {
		name: "an output artifact named as an archived log",
		body: `  templates:
  - name: main
    outputs: {artifacts: [{name: main-logs, path: /a}, {name: a, path: /b}]}
    container: {image: busybox, command: ["true"]}
  - name: set
    volumes: [{name: w, emptyDir: {}}]
    outputs: {artifacts: [{name: b-logs, path: /w/b}, {name: main-logs, path: /w/m}]}
    containerSet:
      volumeMounts: [{name: w, mountPath: /w}]
      containers: [{name: main, image: busybox}, {name: b, image: busybox}]
  - name: not-archived
    archiveLocation: {archiveLogs: false}
    outputs: {artifacts: [{name: main-logs, path: /a}]}
    container: {image: busybox, command: ["true"]}
`,
		want: []string{
			`f.yaml:9:34: output artifact "main-logs" has the name of the archived log of container main (archiveLogs), which Argo names main-logs too: rename the artifact, or archive no logs for template "main"`,
			`f.yaml:13:34: output artifact "b-logs" has the name of the archived log of container b (archiveLogs), which Argo names b-logs too: rename the artifact, or archive no logs for template "set"`,
			`f.yaml:13:62: output artifact "main-logs" has the name of the archived log of container main (archiveLogs), which Argo names main-logs too: rename the artifact, or archive no logs for template "set"`,
		},
	}, {
		name: "an output artifact's archiveLogs does nothing, as in Argo",
		body: `  templates:
  - name: main
    outputs: {artifacts: [{name: a, path: /a, archiveLogs: true}]}
    container: {image: busybox, command: ["true"]}
`,
		want: []string{
			"f.yaml:9:47: warning: not supported: spec.templates[0].outputs.artifacts[0].archiveLogs: " + supportTable["Artifact.archiveLogs"].reason,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDiagnostics(t, head+tt.body, tt.want)
		})
	}
}
