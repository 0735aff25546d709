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
			if e.w.ResourceNeedsPod(t) {
				e.resourcePod(n, t, acted) // names the node's pod
			}
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
	own := compile.Vars{"node.name": compile.NodeName(vars, n.Name)}
	if e.w.ResourceNeedsPod(t) {
		pod, ok := e.resourcePod(n, t, acted)
		if !ok {
			return
		}
		own["pod.name"] = pod
	}
	inst, missing := compile.Instantiate(t, vars.With(own))
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

// resourcePod is the name of the pod a resource node that refers to
// {{pod.name}} runs (see compile.ResourcePodJob), once the Job controller
// has made it; until then ok is false and the node is Pending, its Job
// to create. A pod that could not be made fails the node.
func (e *evaluator) resourcePod(n *Node, t *wfv1.Template, acted bool) (pod string, ok bool) {
	n.Job = compile.JobName(e.w.Name, t.Name, n.Name)
	r, exists := e.obs.Jobs[n.Job]
	if exists && !acted {
		e.touched++
	}
	switch {
	case exists && r.Pod != "":
		n.Pod = r.Pod
		return r.Pod, true
	case acted:
		// Acted on a pod now gone with its Job: the action stands.
		return "", true
	case exists && r.Phase.Completed():
		e.fail(n, r.Phase, "%s", r.Message)
		return "", false
	case exists:
		n.Phase = Pending
		return "", false
	}
	job, err := e.w.ResourcePodJob(n.Name, t)
	if err != nil {
		e.fail(n, Error, "%v", err)
		return "", false
	}
	e.actions.Create = append(e.actions.Create, PodToCreate{Node: n.Name, Job: job})
	e.podToCreate(n.Name)
	n.Phase = Pending
	return "", false
}
