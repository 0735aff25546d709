package watch

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const daemonStepsYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: server, template: server}
    - - name: client
        template: client
        arguments: {parameters: [{name: ip, value: "{{steps.server.ip}}"}]}
  - name: server
    daemon: true
    container: {image: nginx, command: [serve]}
  - name: client
    inputs: {parameters: [{name: ip}]}
    container: {image: busybox, command: [wget, "{{inputs.parameters.ip}}"]}
`

const daemonDAGYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: server, template: server}
      - name: client
        depends: server.Daemoned
        template: client
        arguments: {parameters: [{name: ip, value: "{{tasks.server.ip}}"}]}
  - name: server
    daemon: true
    container: {image: nginx, command: [serve]}
  - name: client
    inputs: {parameters: [{name: ip}]}
    container: {image: busybox, command: [wget, "{{inputs.parameters.ip}}"]}
`

// TestDaemonRunsUntilItsScopeEnds follows a daemon through its life: the
// next step waits until it is daemoned, gets its IP, and once the scope
// ends the daemon's Job is stopped with a Succeeded verdict.
func TestDaemonRunsUntilItsScopeEnds(t *testing.T) {
	for _, tc := range []struct{ name, yaml, server, client string }{
		{"steps", daemonStepsYAML, "wf[0].server", "wf[1].client"},
		{"dag", daemonDAGYAML, "wf.server", "wf.client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workflow(t, tc.yaml)
			obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
			jobOf := map[string]string{}
			eval := func() (*Status, *Actions) {
				s, a := Evaluate(w, obs)
				for _, c := range a.Create {
					jobOf[c.Node] = c.Job.Name
				}
				return s, a
			}
			_, a := eval()
			if got := createdNodes(a); !slices.Equal(got, []string{tc.server}) {
				t.Fatalf("first creates %v, want the server", got)
			}
			start := t0
			obs.Jobs[jobOf[tc.server]] = PodResult{Phase: Running, StartedAt: &start}
			if _, a = eval(); len(a.Create) != 0 {
				t.Fatalf("created %v before the daemon was ready", createdNodes(a))
			}
			obs.Jobs[jobOf[tc.server]] = PodResult{Phase: Running, StartedAt: &start, Daemoned: true, PodIP: "10.88.0.9"}
			s, a := eval()
			if got := createdNodes(a); !slices.Equal(got, []string{tc.client}) {
				t.Fatalf("creates %v once daemoned, want the client", got)
			}
			if cmd := strings.Join(a.Create[0].Job.Spec.Template.Spec.Containers[0].Command, " "); cmd != "wget 10.88.0.9" {
				t.Errorf("client command = %q, want the daemon's IP", cmd)
			}
			if n := nodeNamed(s, tc.server); n.Phase != Running || !n.Daemoned || n.PodIP != "10.88.0.9" {
				t.Errorf("server node = %s daemoned=%v ip=%q, want Running, daemoned, its IP", n.Phase, n.Daemoned, n.PodIP)
			}
			if len(a.StopJobs) != 0 {
				t.Errorf("stopped %v while its scope runs", a.StopJobs)
			}
			obs.Jobs[jobOf[tc.client]] = succeed("")
			s, a = eval()
			want := []JobToStop{{Job: jobOf[tc.server]}}
			if d := cmp.Diff(want, a.StopJobs, cmp.Comparer(func(x, y PodResult) bool { return true })); d != "" {
				t.Fatalf("stops (-want +got):\n%s", d)
			}
			if r := a.StopJobs[0].Result; r.Phase != Succeeded || r.Daemoned {
				t.Errorf("daemon's recorded verdict = %s daemoned=%v, want Succeeded, not daemoned", r.Phase, r.Daemoned)
			}
			if n := nodeNamed(s, tc.server); n.Phase != Succeeded || n.Daemoned {
				t.Errorf("server node = %s daemoned=%v after its scope ended, want Succeeded", n.Phase, n.Daemoned)
			}
			if s.Phase != Succeeded {
				t.Errorf("workflow = %s, want Succeeded", s.Phase)
			}
			// Once the verdict is recorded, nothing more is stopped.
			obs.Jobs[jobOf[tc.server]] = a.StopJobs[0].Result
			if s, a = eval(); len(a.StopJobs) != 0 || s.Phase != Succeeded {
				for _, n := range s.Nodes {
					t.Logf("%s %s %q", n.Name, n.Phase, n.Message)
				}
				t.Errorf("after the stop: %s, stops %v", s.Phase, a.StopJobs)
			}
		})
	}
}

// TestDaemonThatEndsFailsItsScope: a daemon pod that ends before its scope
// does is a Failed node (podState's verdict), which fails the steps.
func TestDaemonThatEndsFailsItsScope(t *testing.T) {
	w := workflow(t, daemonStepsYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, a := Evaluate(w, obs)
	code := int32(0)
	obs.Jobs[a.Create[0].Job.Name] = PodResult{Phase: Failed, ExitCode: &code}
	s, a := Evaluate(w, obs)
	if s.Phase != Failed || len(a.Create) != 0 {
		t.Errorf("workflow %s with creates %v, want Failed and nothing created", s.Phase, createdNodes(a))
	}
}

func createdNodes(a *Actions) []string {
	var out []string
	for _, c := range a.Create {
		out = append(out, c.Node)
	}
	return out
}
