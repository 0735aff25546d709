package watch

import (
	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// resource evaluates a resource node. The driver performs its action
// itself (it is not a pod) and records how it went on the workflow object;
// until that record says it ended, the node is handed to the driver.
func (e *evaluator) resource(n *Node, t *wfv1.Template, vars compile.Vars) {
	st, acted := e.obs.Resources[n.Name]
	if acted {
		e.touched++
		n.Phase, n.Message, n.StartedAt, n.FinishedAt = st.Phase, st.Message, &st.StartedAt, st.FinishedAt
		if st.Phase.Completed() {
			n.Outputs = &Outputs{Parameters: st.Outputs}
			return
		}
	}
	switch {
	case !acted && e.holdBack(n):
		return
	case acted && e.halt() != "":
		e.fail(n, Failed, "%s", e.halt())
		n.FinishedAt = &e.obs.Now
		return
	}
	inst, missing := compile.Instantiate(t, vars.With(compile.Vars{"node.name": n.Name}))
	if len(missing) > 0 {
		e.fail(n, Error, "failed to resolve {{%s}}", missing[0])
		return
	}
	run := ResourceToRun{Node: n.Name, Template: inst}
	if acted {
		run.State = &st
	} else {
		n.Phase = Pending
	}
	e.actions.Resources = append(e.actions.Resources, run)
}
