package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// objectsIn counts what a submit could have left in ns: ConfigMaps other
// than the one every namespace gets, Jobs, pods and Leases.
func objectsIn(t *testing.T, cs kubernetes.Interface, ns string) int {
	t.Helper()
	ctx := context.Background()
	cms, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, cm := range cms.Items {
		if cm.Name != "kube-root-ca.crt" {
			n++
		}
	}
	jobs, err := cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	leases, err := cs.CoordinationV1().Leases(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return n + len(jobs.Items) + len(pods.Items) + len(leases.Items)
}

// TestInvalidFixturesCreateNothing submits every fixture of
// fixtures/invalid/ to the cluster: each exits 1 with its file:line:col
// errors and leaves nothing behind.
func TestInvalidFixturesCreateNothing(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	files, err := filepath.Glob(filepath.Join(fixturesDir, "invalid", "*.yaml"))
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 invalid fixtures, found %d (%v)", len(files), err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		code, _, errOut := onCluster(t, ns, "submit", file)
		if code != ExitFailed {
			t.Errorf("%s: submit exited %d, want %d", filepath.Base(file), code, ExitFailed)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if want, ok := strings.CutPrefix(line, "# want: "); ok && !strings.Contains(errOut, file+":"+want) {
				t.Errorf("%s: stderr lacks %q:\n%s", filepath.Base(file), want, errOut)
			}
		}
	}
	if n := objectsIn(t, cs, ns); n != 0 {
		t.Errorf("%d objects left in the namespace by invalid workflows", n)
	}
}

// TestJobRefusedByTheAPI: a Job the apiserver refuses (here a quota of
// zero Jobs) fails its node with the API's message; the workflow ends and
// does not hang.
func TestJobRefusedByTheAPI(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	_, err := cs.CoreV1().ResourceQuotas(ns).Create(context.Background(), &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "no-jobs"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"count/jobs.batch": resource.MustParse("0")}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The quota controller must have counted usage before it admits or
	// refuses anything.
	waitFor(t, 30*time.Second, func() bool {
		q, err := cs.CoreV1().ResourceQuotas(ns).Get(context.Background(), "no-jobs", metav1.GetOptions{})
		return err == nil && q.Status.Hard != nil
	})
	code, out, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "hello-world.yaml"))
	if code != ExitFailed {
		t.Fatalf("submit exited %d, want 1\n%s%s", code, out, errOut)
	}
	doc := getJSON(t, ns, submitted(t, out))
	if doc.Status.Phase != watch.Error && doc.Status.Phase != watch.Failed {
		t.Errorf("phase %s, want Error or Failed", doc.Status.Phase)
	}
	if !strings.Contains(doc.Status.Message, "exceeded quota") {
		t.Errorf("message %q, want the API's (exceeded quota)", doc.Status.Message)
	}
}

// TestParametersPassLiterally: values holding YAML, JSON, quotes and shell
// metacharacters reach the container as the very argument they are, tags
// are resolved as Argo resolves them, and nothing else in what is created
// changes.
func TestParametersPassLiterally(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	values := []string{
		`{"a": [1, 2], "b": "c"}`,
		"key: value\nlist:\n  - x",
		`it's "quoted" \ back`,
		`$(touch /tmp/pwned); rm -rf / ; echo $HOME`,
		"{{workflow.name}} {{=1+1}}",
		"---\napiVersion: v1\nkind: Secret",
	}
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: literal
spec:
  entrypoint: main
  arguments:
    parameters: [{name: v, value: x}]
  templates:
    - name: main
      inputs:
        parameters: [{name: v}]
      container:
        image: busybox
        command: [printf, "%s", "{{inputs.parameters.v}}"]
`)
	for i, v := range values {
		name := "literal-" + string(rune('a'+i))
		code, out, errOut := onCluster(t, ns, "submit", file, "--name", name, "-p", "v="+v)
		if code != 0 {
			t.Errorf("value %q: submit exited %d\n%s%s", v, code, out, errOut)
			continue
		}
		// logs prefixes each line with the node's name.
		var lines []string
		for _, line := range strings.Split(strings.TrimSuffix(logsOf(t, ns, name), "\n"), "\n") {
			lines = append(lines, strings.TrimPrefix(line, name+": "))
		}
		want := v
		if strings.Contains(v, "{{") {
			// Argo's SubstituteParams replaces the workflow's variables in
			// the whole template, input values included, before it inserts
			// the inputs: tags in a value that reaches a template as an
			// input are resolved once, as there. Nothing else is.
			want = name + " 2"
		}
		if got := strings.Join(lines, "\n"); got != want {
			t.Errorf("value %q came out as %q, want %q", v, got, want)
		}
	}
	jobs, err := cs.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs.Items {
		c := j.Spec.Template.Spec.Containers
		if len(c) != 1 || len(c[0].Command) != 3 || len(j.Spec.Template.Spec.Volumes) != 0 || len(c[0].Env) > 1 {
			t.Errorf("Job %s changed shape: %+v", j.Name, j.Spec.Template.Spec)
		}
	}
	secrets, err := cs.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil || len(secrets.Items) != 0 {
		t.Errorf("a value created Secrets: %d (%v)", len(secrets.Items), err)
	}
}

// TestSubmitOutputDocument: submit -o json prints, once done, the workflow
// as get -o json does, and nothing else on stdout.
func TestSubmitOutputDocument(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "hello-world.yaml"), "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var doc workflowDocument
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if doc.Status == nil || doc.Status.Phase != watch.Succeeded || !strings.Contains(errOut, "created") {
		t.Errorf("document %+v; stderr %q", doc.Status, errOut)
	}
	if code, _, _ := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "hello-world.yaml"), "-o", "json", "--dry-run=server"); code != ExitUsage {
		t.Errorf("-o json --dry-run=server: exit %d, want %d", code, ExitUsage)
	}
}
