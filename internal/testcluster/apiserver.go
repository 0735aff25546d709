package testcluster

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
)

// EnvDisruptive names the environment variable that lets a test stop
// parts of the local cluster. hack/test.sh sets it for a run of its own,
// after the other tests, which a stopped apiserver would fail.
const EnvDisruptive = "KUBECTL_WF_DISRUPTIVE"

// APIServer is the local cluster's kube-apiserver process, as
// hack/cluster/up.sh started it and recorded it ("PID EXECUTABLE" in
// pids/kube-apiserver.pid beside the kubeconfig).
type APIServer struct {
	pidFile string
	exe     string
	argv    []string
	logPath string
	etcd    string
	pid     int
	stopped bool
}

// LocalAPIServer finds the local cluster's apiserver, or skips the test
// when disruptive tests are not allowed or the cluster runs elsewhere.
// Whatever the test does, the apiserver runs again when it ends.
func LocalAPIServer(t *testing.T) *APIServer {
	t.Helper()
	kubeconfig := Kubeconfig(t)
	if os.Getenv(EnvDisruptive) == "" {
		t.Skipf("%s is not set: this test stops the shared apiserver; hack/test.sh runs it on its own", EnvDisruptive)
	}
	a := &APIServer{pidFile: filepath.Join(filepath.Dir(kubeconfig), "pids", "kube-apiserver.pid")}
	raw, err := os.ReadFile(a.pidFile)
	if err != nil {
		t.Skipf("no local apiserver to restart: %v", err)
	}
	fields := strings.Fields(string(raw))
	if len(fields) != 2 {
		t.Fatalf("%s: want PID EXECUTABLE, got %q", a.pidFile, raw)
	}
	if a.pid, err = strconv.Atoi(fields[0]); err != nil {
		t.Fatal(err)
	}
	a.exe = fields[1]
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", a.pid))
	if err != nil {
		t.Fatalf("the apiserver (pid %d) is not running: %v", a.pid, err)
	}
	a.argv = strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	if a.logPath, err = os.Readlink(fmt.Sprintf("/proc/%d/fd/1", a.pid)); err != nil {
		t.Fatal(err)
	}
	for _, arg := range a.argv {
		if v, ok := strings.CutPrefix(arg, "--etcd-servers="); ok {
			a.etcd = strings.Split(v, ",")[0]
		}
	}
	t.Cleanup(func() {
		if a.stopped {
			a.Start(t, nil)
		}
	})
	return a
}

// Stop stops the apiserver as a restart would (SIGTERM, then SIGKILL if
// it has not exited within 20 s), and waits until it has exited.
func (a *APIServer) Stop(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(a.pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.stopped = true
	start := time.Now()
	killed := false
	for running(a.pid) {
		switch wait := time.Since(start); {
		case wait > 20*time.Second && !killed:
			_ = syscall.Kill(a.pid, syscall.SIGKILL)
			killed = true
		case wait > 40*time.Second:
			t.Fatalf("the apiserver (pid %d) did not exit", a.pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// running reports whether a process exists and is not a zombie (the
// apiserver's parent, up.sh, is gone, and whoever adopted it may reap it
// late).
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command, which is in parentheses.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	return len(rest) < 2 || rest[1] != 'Z'
}

// Start starts the apiserver again with the same command line, detached
// as up.sh starts it, and records its pid. With cs, it waits until the
// apiserver is ready.
func (a *APIServer) Start(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	log, err := os.OpenFile(a.logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(a.exe, a.argv[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a.pid, a.stopped = cmd.Process.Pid, false
	_ = cmd.Process.Release()
	if err := os.WriteFile(a.pidFile, []byte(fmt.Sprintf("%d %s\n", a.pid, a.exe)), 0o644); err != nil {
		t.Fatal(err)
	}
	if cs == nil {
		return
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(context.Background())
		if err == nil && string(body) == "ok" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the apiserver was not ready 90 s after its start: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// CompactEtcd writes and deletes a key, then compacts etcd's history up to
// that revision: every watch a client had open resumes from a revision
// that is gone, and gets 410 Gone, as after a long outage.
func (a *APIServer) CompactEtcd(t *testing.T) {
	t.Helper()
	key := base64.StdEncoding.EncodeToString([]byte("kubectl-wf-test/compact"))
	etcd := func(path string, req any) map[string]any {
		body, _ := json.Marshal(req)
		resp, err := http.Post(a.etcd+path, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("etcd %s: %v", path, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("etcd %s: %s %v", path, resp.Status, err)
		}
		return out
	}
	etcd("/v3/kv/put", map[string]string{"key": key, "value": base64.StdEncoding.EncodeToString([]byte("x"))})
	out := etcd("/v3/kv/deleterange", map[string]string{"key": key})
	header, _ := out["header"].(map[string]any)
	revision, _ := header["revision"].(string)
	if revision == "" {
		t.Fatalf("etcd deleterange gave no revision: %v", out)
	}
	etcd("/v3/kv/compaction", map[string]any{"revision": revision, "physical": true})
}
