package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// Three serial steps; the apiserver is away during the long second one.
const apiserverRestartYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: restart-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: a, template: run, arguments: {parameters: [{name: seconds, value: "1"}]}}
        - - {name: b, template: run, arguments: {parameters: [{name: seconds, value: "25"}]}}
        - - {name: c, template: run, arguments: {parameters: [{name: seconds, value: "1"}]}}
    - name: run
      inputs: {parameters: [{name: seconds}]}
      container:
        image: busybox
        command: [sleep, "{{inputs.parameters.seconds}}"]
`

// TestAPIServerRestart stops kube-apiserver for 20 s while a workflow's
// second step runs (longer than the driver's lease), and compacts etcd
// meanwhile, so that every watch the driver had open is gone when the
// apiserver is back (410 Gone: its informers must list again). The same
// `kubectl wf submit` process must finish the workflow, Succeeded, with
// each step's Job and pod made once.
func TestAPIServerRestart(t *testing.T) {
	api := testcluster.LocalAPIServer(t)
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	bin := buildBinary(t)
	out, err := os.Create(filepath.Join(t.TempDir(), "submit.out"))
	if err != nil {
		t.Fatal(err)
	}
	submit := exec.Command(bin, "submit", writeTemp(t, apiserverRestartYAML), "--name", "restart",
		"--kubeconfig", testcluster.Kubeconfig(t), "-n", ns, "--no-color")
	submit.Stdout, submit.Stderr = out, out
	if err := submit.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- submit.Wait() }()
	t.Cleanup(func() {
		if submit.ProcessState == nil {
			_ = submit.Process.Kill()
			<-done
		}
	})
	waitNode(t, ns, "restart", "[1].b", watch.Running)

	const downFor = 20 * time.Second
	stopped := time.Now()
	t.Cleanup(func() {
		// For make soak's table (hack/soak-table.awk).
		fmt.Printf("apiserver restart: down=%s survived=%d\n", downFor, map[bool]int{true: 0, false: 1}[t.Failed()])
	})
	api.Stop(t)
	api.CompactEtcd(t)
	time.Sleep(time.Until(stopped.Add(downFor)))
	api.Start(t, cs)
	t.Logf("apiserver down for %v", time.Since(stopped).Round(100*time.Millisecond))

	select {
	case err := <-done:
		log, _ := os.ReadFile(out.Name())
		if err != nil {
			t.Fatalf("submit: %v; its output:\n%s", err, log)
		}
		t.Logf("submit's output:\n%s", log)
	case <-time.After(3 * time.Minute):
		t.Fatal("submit did not end within 3 minutes of the restart")
	}
	doc := getJSON(t, ns, "restart")
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s: %s", doc.Status.Phase, doc.Status.Message)
	}
	ctx := context.Background()
	jobs, err := cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(jobs.Items) != 3 {
		t.Fatalf("%d Jobs (%v), want one per step", len(jobs.Items), err)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(pods.Items) != 3 {
		t.Errorf("%d pods (%v), want one per step", len(pods.Items), err)
	}
}
