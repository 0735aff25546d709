package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// archiveLogsWorkflow archives its pods' logs, but for one template that
// turns it off: a script with an output artifact, whose log shares the
// artifact's ConfigMap, and a containerSet, whose containers each have
// their log.
const archiveLogsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: archive-logs}
spec:
  entrypoint: main
  archiveLogs: true
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
      - {name: quiet, template: quiet}
      - {name: set, template: set}
  - name: gen
    script:
      image: busybox
      command: [sh]
      source: |
        echo "to the artifact" > /tmp/f
        echo "to the log"
    outputs:
      artifacts: [{name: file, path: /tmp/f}]
  - name: quiet
    archiveLocation: {archiveLogs: false}
    container: {image: busybox, command: [echo, unseen]}
  - name: set
    containerSet:
      containers:
      - {name: a, image: busybox, command: [echo, from a]}
      - {name: b, image: busybox, command: [echo, from b], dependencies: [a]}
`

// TestArchiveLogsOnCluster: each archived log is its node's output
// artifact CONTAINER-logs, whose ConfigMap key holds the log.
func TestArchiveLogsOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, archiveLogsWorkflow))
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, submitted(t, out))
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	tests := []struct {
		node string
		want map[string]string // artifact: its file's content
	}{
		{".gen", map[string]string{"file": "to the artifact\n", "main-logs": "to the log\n"}},
		{".quiet", map[string]string{}},
		{".set", map[string]string{"a-logs": "from a\n", "b-logs": "from b\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.node, func(t *testing.T) {
			n := nodeByName(doc, tt.node)
			if n == nil {
				t.Fatalf("no node %s", tt.node)
			}
			got := map[string]string{}
			if n.Outputs != nil {
				for _, a := range n.Outputs.Artifacts {
					got[a.Name] = artifactFile(t, ns, a)
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("artifacts of %s (-want +got):\n%s", n.Name, d)
			}
		})
	}
}

// artifactFile is the content of a stored file artifact.
func artifactFile(t *testing.T, ns string, a compile.StoredArtifact) string {
	t.Helper()
	if len(a.Files) != 1 || a.Dir {
		t.Fatalf("artifact %s is not one file: %+v", a.Name, a)
	}
	cs, _ := testcluster.Client(t)
	cm, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), a.ConfigMap, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, ok := cm.BinaryData[a.Files[0].Key]
	if !ok {
		t.Fatalf("ConfigMap %s has no key %s: %v", a.ConfigMap, a.Files[0].Key, strings.Join(keys(cm.BinaryData), ","))
	}
	return string(data)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
