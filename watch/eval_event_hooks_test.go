package watch

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const eventHooksYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  hooks:
    running:
      expression: workflow.status == "Running"
      template: note
  templates:
  - name: main
    steps:
    - - name: work
        template: work
        hooks:
          running:
            expression: steps.work.status == "Running"
            template: note
          success:
            expression: steps.work.status == "Succeeded"
            template: note
  - name: work
    container: {image: busybox, command: [work]}
  - name: note
    container: {image: busybox, command: [note]}
`

// TestEventHooks follows Argo's lifecycle hooks: each starts once its
// expression holds, is followed to its end after that, and the step (and
// the workflow) waits for them.
func TestEventHooks(t *testing.T) {
	w := workflow(t, eventHooksYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	jobOf := map[string]string{}
	step := func() (*Status, []string) {
		s, a := Evaluate(w, obs)
		var made []string
		for _, c := range a.Create {
			jobOf[c.Node] = c.Job.Name
			obs.Jobs[c.Job.Name] = PodResult{Phase: Pending}
			made = append(made, c.Node)
		}
		slices.Sort(made)
		return s, made
	}
	_, made := step()
	if d := cmp.Diff([]string{"wf.hooks.running", "wf[0].work"}, made); d != "" {
		t.Fatalf("first round (-want +got):\n%s", d)
	}
	if _, made = step(); len(made) != 0 {
		t.Fatalf("created %v while work is Pending", made)
	}
	obs.Jobs[jobOf["wf[0].work"]] = PodResult{Phase: Running}
	if _, made = step(); !slices.Equal(made, []string{"wf[0].work.hooks.running"}) {
		t.Fatalf("created %v once work runs, want its running hook", made)
	}
	obs.Jobs[jobOf["wf[0].work"]] = succeed("")
	s, made := step()
	if !slices.Equal(made, []string{"wf[0].work.hooks.success"}) {
		t.Fatalf("created %v once work succeeded, want its success hook", made)
	}
	// The running hook no longer holds, but it started: it is kept.
	if n := nodeNamed(s, "wf[0].work.hooks.running"); n.Phase != Pending {
		t.Errorf("running hook = %+v, want it kept while it runs", n)
	}
	if s.Phase != Running {
		t.Errorf("workflow %s while hooks run, want Running", s.Phase)
	}
	for _, node := range []string{"wf[0].work.hooks.running", "wf[0].work.hooks.success"} {
		obs.Jobs[jobOf[node]] = succeed("")
	}
	if s, _ = step(); s.Phase != Running {
		t.Errorf("workflow %s while its own hook runs, want Running", s.Phase)
	}
	obs.Jobs[jobOf["wf.hooks.running"]] = succeed("")
	s, made = step()
	if s.Phase != Succeeded || len(made) != 0 {
		t.Errorf("workflow %s, created %v; want Succeeded and nothing more", s.Phase, made)
	}
	work := nodeNamed(s, "wf[0].work")
	var kids []string
	for _, id := range work.Children {
		kids = append(kids, s.Nodes[id].DisplayName)
	}
	if d := cmp.Diff([]string{"work.hooks.running", "work.hooks.success"}, kids); d != "" {
		t.Errorf("work's children (-want +got):\n%s", d)
	}
}
