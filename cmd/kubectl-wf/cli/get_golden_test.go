package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// goldenWorkflow has what get shows: steps groups, a DAG with a failed,
// an omitted and a retried task, parameters, global outputs (a parameter
// and an artifact) and a message.
const goldenWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: golden}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: greeting, value: hi}]
  templates:
  - name: main
    steps:
    - - {name: hello, template: say}
      - {name: skipped, template: say, when: "1 == 2"}
    - - {name: graph, template: graph}
  - name: graph
    dag:
      tasks:
      - {name: flaky, template: flaky}
      - {name: boom, template: say, depends: flaky}
      - {name: never, template: say, depends: boom}
  - name: say
    container: {image: busybox, command: [echo, "{{workflow.parameters.greeting}}"]}
    outputs:
      parameters: [{name: said, globalName: said, value: "{{workflow.parameters.greeting}}"}]
      artifacts: [{name: log, path: /tmp/log, globalName: said-log}]
  - name: flaky
    retryStrategy: {limit: 1}
    container: {image: busybox}
`

// goldenDocument drives goldenWorkflow to its end with made-up pod
// results at fixed times, as get would read it.
func goldenDocument(t *testing.T) (workflowDocument, time.Time) {
	t.Helper()
	docs, diags := compile.ParseFile("golden.yaml", []byte(goldenWorkflow))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	obs := watch.Observed{Jobs: map[string]watch.PodResult{}, Suspends: map[string]watch.SuspendState{}, Now: t0, StartedAt: &t0}
	var status *watch.Status
	for i := 0; i < 20; i++ {
		s, actions := watch.Evaluate(w, obs)
		status = s
		if s.Phase.Fulfilled() {
			break
		}
		for _, c := range actions.Create {
			start, end := obs.Now, obs.Now.Add(2*time.Second)
			code := int32(0)
			r := watch.PodResult{Phase: watch.Succeeded, Pod: c.Job.Name + "-abcde", StartedAt: &start, FinishedAt: &end, ExitCode: &code}
			if c.Job.Annotations[compile.AnnotationOutputArtifacts] == "log" {
				r.Artifacts = []compile.StoredArtifact{{Name: "log", Path: "/tmp/log", ConfigMap: watch.ArtifactsConfigMapName(c.Job.Name),
					Files: []compile.StoredFile{{Key: "log.0", Mode: 0o644}}}}
			}
			if strings.HasSuffix(c.Node, ".boom") || strings.HasSuffix(c.Node, ".flaky(0)") {
				code = 1
				r.Phase, r.Message = watch.Failed, "main: Error (exit code 1)"
			}
			obs.Jobs[c.Job.Name] = r
		}
		obs.Now = obs.Now.Add(3 * time.Second)
	}
	for _, n := range status.Nodes {
		if n.Pod != "" {
			n.HostNodeName = "node-1" // as Read sets it from the pod
		}
	}
	return workflowDocument{APIVersion: documentAPIVersion, Kind: documentKind, Name: "golden", Namespace: "default", Created: t0,
		StartedAt: t0.Format(time.RFC3339), FinishedAt: obs.Now.Format(time.RFC3339),
		Parameters: []parameter{{"greeting", "hi"}}, Status: status}, obs.Now.Add(time.Minute)
}

// TestGetGolden renders one workflow in every format get prints, against
// fixtures/get/*.golden (go test ./cmd/kubectl-wf/cli -run TestGetGolden -update).
func TestGetGolden(t *testing.T) {
	doc, now := goldenDocument(t)
	for _, tc := range []struct{ name, format string }{
		{"tree", ""},
		{"wide", "wide"},
		{"json", "json"},
		{"yaml", "yaml"},
		{"name", "name"},
		{"jsonpath", "jsonpath={.status.phase} {.status.progress} {.status.message}"},
		{"go-template", "go-template={{range .status.nodes}}{{.displayName}}={{.phase}} {{end}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			o := &GetOptions{IOStreams: genericiooptions.IOStreams{Out: &out}, PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)}
			*o.PrintFlags.OutputFormat = tc.format
			if err := o.print(doc, now); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(fixturesDir, "get", tc.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("get -o %s (-want +got):\n%s", tc.format, diff)
			}
		})
	}
}
