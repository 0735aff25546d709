package cli

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

const takeoverYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: takeover}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: slow, template: slow}
    - - {name: next, template: echo}
    - - {name: last, template: echo}
  - name: slow
    container: {image: busybox, command: [sleep, "10"]}
  - name: echo
    container: {image: busybox, command: [echo, done]}
`

// TestAnotherDriverTakesOver starts three drivers on one workflow: one
// holds its Lease and drives. When it is killed, another takes the Lease
// within the Lease's duration and finishes the workflow, every step run
// exactly once.
func TestAnotherDriverTakesOver(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	bin := buildBinary(t)
	kubeconfig := testcluster.Kubeconfig(t)
	if code, _, errOut := onCluster(t, ns, "submit", writeTemp(t, takeoverYAML), "--driver=none"); code != 0 {
		t.Fatalf("submit --driver=none: %s", errOut)
	}
	drivers := map[int]*exec.Cmd{}
	output := map[int]*bytes.Buffer{}
	exited := make(chan error, 3)
	for range 3 {
		cmd := exec.Command(bin, "watch", "takeover", "--kubeconfig", kubeconfig, "-n", ns)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		drivers[cmd.Process.Pid] = cmd
		output[cmd.Process.Pid] = &out
		go func() { exited <- cmd.Wait() }()
	}
	t.Cleanup(func() {
		for _, cmd := range drivers {
			_ = cmd.Process.Kill()
		}
	})
	holder := func() (pid int, ok bool) {
		l, err := cs.CoordinationV1().Leases(ns).Get(context.Background(), "takeover", metav1.GetOptions{})
		if err != nil {
			return 0, false
		}
		// Identity: kubectl-wf@HOST/PID/RANDOM.
		parts := strings.Split(ptr.Deref(l.Spec.HolderIdentity, ""), "/")
		if len(parts) != 3 {
			return 0, false
		}
		pid, err = strconv.Atoi(parts[1])
		return pid, err == nil
	}
	var first int
	waitFor(t, time.Minute, func() bool {
		pid, ok := holder()
		first = pid
		return ok && drivers[pid] != nil
	})
	// Kill the driver while the slow step runs.
	waitNode(t, ns, "takeover", ".slow", watch.Running)
	if err := drivers[first].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	var second int
	waitFor(t, 2*watch.LeaseDuration, func() bool {
		pid, ok := holder()
		second = pid
		return ok && pid != first && drivers[pid] != nil
	})
	// The Lease runs out at most its duration after the kill; a follower
	// notices at its next look, which a loaded 2-core machine delays by
	// seconds (19 s seen in all).
	if took := time.Since(killedAt); took > watch.LeaseDuration+10*time.Second {
		t.Errorf("driver %d took over %v after the kill, want within the Lease's %v and 10 s", second, took, watch.LeaseDuration)
	}
	t.Logf("driver %d killed; driver %d took over after %v", first, second, time.Since(killedAt).Round(time.Second))
	for range 3 {
		select {
		case <-exited:
		case <-time.After(3 * time.Minute):
			t.Fatal("the surviving drivers did not end")
		}
	}
	for pid, cmd := range drivers {
		if pid != first && cmd.ProcessState.ExitCode() != 0 {
			t.Errorf("driver %d exited %d, want 0:\n%s", pid, cmd.ProcessState.ExitCode(), output[pid])
		}
	}
	if doc := getJSON(t, ns, "takeover"); doc.Status.Phase != watch.Succeeded {
		t.Errorf("phase %s, want Succeeded", doc.Status.Phase)
	}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=takeover"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(jobsOf(t, cs, ns, "takeover")); n != 3 || len(pods.Items) != 3 {
		t.Errorf("%d Jobs and %d pods, want 3 of each: one per step", n, len(pods.Items))
	}
}
