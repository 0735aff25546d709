package compile

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestGlobalVars: the workflow.* variables Argo gives, those that cost
// something only to a workflow that refers to them.
func TestGlobalVars(t *testing.T) {
	created := time.Date(2026, 4, 9, 15, 4, 5, 123e6, time.UTC)
	const refersToAll = `
    container:
      image: busybox
      command: [echo, "{{workflow.creationTimestamp.Y}} {{workflow.labels.json}} {{workflow.annotations}} {{workflow.duration}}"]
`
	tests := []struct {
		name        string
		annotations string
		body        string
		want        Vars // the variables checked, "" for absent
	}{{
		name: "referred to",
		body: refersToAll,
		want: Vars{
			"workflow.creationTimestamp":         "2026-04-09T15:04:05Z",
			"workflow.creationTimestamp.RFC3339": "2026-04-09T15:04:05Z",
			"workflow.creationTimestamp.s":       "1775747045",
			"workflow.creationTimestamp.Y":       "2026",
			"workflow.creationTimestamp.y":       "26",
			"workflow.creationTimestamp.B":       "April",
			"workflow.creationTimestamp.b":       "Apr",
			"workflow.creationTimestamp.m":       "04",
			"workflow.creationTimestamp.d":       "09",
			"workflow.creationTimestamp.A":       "Thursday",
			"workflow.creationTimestamp.a":       "Thu",
			"workflow.creationTimestamp.H":       "15",
			"workflow.creationTimestamp.I":       "03",
			"workflow.creationTimestamp.M":       "04",
			"workflow.creationTimestamp.S":       "05",
			"workflow.creationTimestamp.p":       "PM",
			"workflow.creationTimestamp.Z":       "UTC",
			"workflow.creationTimestamp.z":       "+0000",
			"workflow.creationTimestamp.L":       ".123",
			"workflow.labels":                    `{"app":"demo","tier":"x"}`,
			"workflow.labels.json":               `{"app":"demo","tier":"x"}`,
			"workflow.annotations":               `{"owner":"me"}`,
			"workflow.annotations.json":          `{"owner":"me"}`,
			"workflow.scheduledTime":             "{{workflow.scheduledTime}}",
		},
	}, {
		name: "not referred to",
		body: `
    container: {image: busybox, command: [echo, "{{workflow.creationTimestamp}}"]}
`,
		want: Vars{
			"workflow.creationTimestamp":   "2026-04-09T15:04:05Z",
			"workflow.creationTimestamp.Y": "",
			"workflow.labels":              "",
			"workflow.annotations.json":    "",
		},
	}, {
		name:        "scheduled by a CronWorkflow",
		annotations: "\n    workflows.argoproj.io/scheduled-time: \"2026-04-29T00:00:00Z\"",
		body:        refersToAll,
		want:        Vars{"workflow.scheduledTime": "2026-04-29T00:00:00Z"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := compileYAML(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: wf
  labels: {app: demo, tier: x}
  annotations:
    owner: me`+tt.annotations+`
spec:
  entrypoint: main
  templates:
  - name: main`+tt.body, nil).Workflow
			w.Created = created
			vars := w.GlobalVars()
			got := Vars{}
			for name := range tt.want {
				got[name] = vars[name]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GlobalVars (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunningVars: workflow.status is Running while the workflow runs, and
// empty in its first evaluation (Argo's first reconcile reads the status
// before it marks the workflow Running); workflow.duration, the seconds
// since it started, is given to a workflow that refers to it.
func TestRunningVars(t *testing.T) {
	started := time.Date(2026, 4, 9, 15, 0, 0, 0, time.UTC)
	now := started.Add(90*time.Second + 500*time.Millisecond)
	const refers = `{{workflow.status}} {{workflow.duration}}`
	tests := []struct {
		name    string
		command string
		started *time.Time
		want    Vars
	}{
		{"running", refers, &started, Vars{"workflow.status": "Running", "workflow.duration": "90.500000"}},
		{"first evaluation", refers, nil, Vars{"workflow.status": "", "workflow.duration": "0.000000"}},
		{"not naming the duration", `{{workflow.status}}`, &started, Vars{"workflow.status": "Running"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := compileYAML(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, "`+tt.command+`"]}
`, nil).Workflow
			if diff := cmp.Diff(tt.want, w.RunningVars(tt.started, now)); diff != "" {
				t.Errorf("RunningVars (-want +got):\n%s", diff)
			}
		})
	}
}
