package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestWorkflowTemplatesOnCluster stores the fixtures' templates, runs
// workflows that reference them (templateRef, workflowTemplateRef, submit
// --from) and checks what Argo gives: phases, outputs, and the template
// names argo get shows.
func TestWorkflowTemplatesOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()

	if code, out, errOut := onCluster(t, ns, "template", "create", filepath.Join(fixturesDir, "templates")); code != 0 || out != "workflowtemplate/kwf-say created\n" {
		t.Fatalf("template create: exit %d\n%s%s", code, out, errOut)
	}
	// The cluster-scoped store is shared by the whole cluster: leave it as found.
	if code, _, errOut := onCluster(t, ns, "cluster-template", "create", "--update", filepath.Join(fixturesDir, "cluster-templates")); code != 0 {
		t.Fatalf("cluster-template create: exit %d\n%s", code, errOut)
	}
	t.Cleanup(func() {
		if code, _, errOut := onCluster(t, ns, "cluster-template", "delete", "kwf-cluster-add"); code != 0 {
			t.Errorf("cluster-template delete: %s", errOut)
		}
	})

	t.Run("manage", func(t *testing.T) {
		code, _, errOut := onCluster(t, ns, "template", "create", filepath.Join(fixturesDir, "templates"))
		if code != ExitFailed || !strings.Contains(errOut, "already exists") {
			t.Errorf("second create: exit %d, stderr %q; want 1 and already exists", code, errOut)
		}
		if code, out, _ := onCluster(t, ns, "template", "list", "-o", "name"); out != "workflowtemplate/kwf-say\n" {
			t.Errorf("list -o name: exit %d, %q", code, out)
		}
		code, out, errOut := onCluster(t, ns, "template", "get", "kwf-say")
		if code != 0 || !regexp.MustCompile(`(?m)^Templates: +say, twice$`).MatchString(out) || !regexp.MustCompile(`(?m)^  suffix: +!$`).MatchString(out) {
			t.Errorf("get: exit %d\n%s%s", code, out, errOut)
		}
		code, out, _ = onCluster(t, ns, "template", "get", "kwf-say", "-o", "jsonpath={.kind}/{.metadata.name}/{.spec.entrypoint}")
		if code != 0 || out != "WorkflowTemplate/kwf-say/say" {
			t.Errorf("get -o jsonpath: exit %d, %q", code, out)
		}
		if code, out, _ := onCluster(t, ns, "template", "get", "kwf-say", "-o", "wide"); code != 0 || !regexp.MustCompile(`(?m)^kwf-say +\S+ +say +2$`).MatchString(out) {
			t.Errorf("get -o wide: exit %d\n%s", code, out)
		}
		if code, _, errOut = onCluster(t, ns, "template", "get", "nope"); code != ExitFailed || !strings.Contains(errOut, `WorkflowTemplate "nope": not found`) {
			t.Errorf("get nope: exit %d, %q", code, errOut)
		}
	})

	t.Run("templateRef", func(t *testing.T) {
		code, out, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "template-ref.yaml"))
		if code != 0 {
			t.Fatalf("submit: exit %d\n%s%s", code, out, errOut)
		}
		name := submitted(t, out)
		doc := getJSON(t, ns, name)
		if doc.Status.Phase != watch.Succeeded {
			t.Fatalf("phase %s: %s", doc.Status.Phase, doc.Status.Message)
		}
		want := map[string]string{
			".sum":                "kwf-cluster-add/add",
			".tell":               "kwf-say/say",
			".repeat":             "kwf-say/twice",
			".repeat[0].first":    "kwf-say/say",
			".repeat[1].second":   "kwf-say/say",
			".sum/outputs.result": "5",
		}
		got := map[string]string{}
		for suffix := range want {
			node, field, _ := strings.Cut(suffix, "/")
			n := nodeByName(doc, node)
			switch {
			case n == nil:
			case field == "outputs.result" && n.Outputs != nil && n.Outputs.Result != nil:
				got[suffix] = *n.Outputs.Result
			case field == "":
				got[suffix] = n.Template
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("nodes (-want +got):\n%s", diff)
		}
		logs := logsOf(t, ns, name)
		for _, line := range []string{"sum is 5.", "again 1.", "again 2."} {
			if !strings.Contains(logs, line) {
				t.Errorf("logs lack %q:\n%s", line, logs)
			}
		}
	})

	t.Run("workflowTemplateRef", func(t *testing.T) {
		code, out, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "workflow-template-ref.yaml"))
		if code != 0 {
			t.Fatalf("submit: exit %d\n%s%s", code, out, errOut)
		}
		logs := logsOf(t, ns, submitted(t, out))
		// The workflow's message and entrypoint win; the template's suffix stays.
		for _, line := range []string{"from the workflow 1!", "from the workflow 2!"} {
			if !strings.Contains(logs, line) {
				t.Errorf("logs lack %q:\n%s", line, logs)
			}
		}
	})

	t.Run("submit --from", func(t *testing.T) {
		code, out, errOut := onCluster(t, ns, "submit", "--from", "workflowtemplate/kwf-say", "-p", "message=hello")
		if code != 0 {
			t.Fatalf("submit --from: exit %d\n%s%s", code, out, errOut)
		}
		name := submitted(t, out)
		if !strings.HasPrefix(name, "kwf-say-") {
			t.Errorf("name %q, want kwf-say-xxxxx", name)
		}
		cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := cm.Labels["workflows.argoproj.io/workflow-template"]; got != "kwf-say" {
			t.Errorf("label workflows.argoproj.io/workflow-template = %q, want kwf-say", got)
		}
		if logs := logsOf(t, ns, name); !strings.Contains(logs, "hello!") {
			t.Errorf("logs lack hello!:\n%s", logs)
		}
	})

	t.Run("a missing template creates nothing", func(t *testing.T) {
		code, _, errOut := onCluster(t, ns, "submit", "--from", "workflowtemplate/absent")
		if code != ExitFailed || !strings.Contains(errOut, `WorkflowTemplate "absent": not found`) {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
		list, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: compile.LabelRole + "=" + compile.RoleWorkflow + ",workflows.argoproj.io/workflow-template=absent"})
		if err != nil || len(list.Items) != 0 {
			t.Errorf("workflow objects left: %d (%v)", len(list.Items), err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if code, out, errOut := onCluster(t, ns, "template", "delete", "kwf-say"); code != 0 || out != "workflowtemplate/kwf-say deleted\n" {
			t.Errorf("delete: exit %d %q %q", code, out, errOut)
		}
		if code, out, _ := onCluster(t, ns, "template", "list"); code != 0 || strings.Contains(out, "kwf-say") {
			t.Errorf("list after delete: exit %d\n%s", code, out)
		}
	})
}

// TestCompletionFromTheCluster: shell completion (cobra's __complete, which
// kubectl_complete-wf runs) offers the namespace's workflows and @latest.
func TestCompletionFromTheCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	if code, _, errOut := onCluster(t, ns, "submit", filepath.Join(fixturesDir, "hello-world.yaml"), "--name", "complete-me"); code != 0 {
		t.Fatalf("submit: %s", errOut)
	}
	// The word completed comes last, as a shell passes it.
	code, out, _ := run(t, "", "__complete", "--kubeconfig", testcluster.Kubeconfig(t), "-n", ns, "get", "comp")
	if code != 0 || !strings.Contains(out, "complete-me\n") || strings.Contains(out, "@latest") || !strings.Contains(out, ":4\n") {
		t.Errorf("__complete get comp: exit %d\n%s", code, out)
	}
	_, out, _ = run(t, "", "__complete", "--kubeconfig", testcluster.Kubeconfig(t), "-n", ns, "logs", "")
	if !strings.Contains(out, "complete-me\n") || !strings.Contains(out, "@latest\n") {
		t.Errorf("__complete logs '': %s", out)
	}
}
