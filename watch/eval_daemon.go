package watch

// A daemon template's node is Daemoned once its pod runs and is ready:
// what follows it may start, and it runs on until the steps or dag node
// that started it (its boundary, in Argo's words) ends. Then its pod is
// stopped and the node Succeeds, as Argo's killDaemonedChildren does.

// daemon is a daemoned node and the Job that runs it.
type daemon struct {
	node   *Node
	job    string
	result PodResult
}

// boundary opens a steps or dag node's scope for daemons; the returned
// func closes it, stopping the daemons started in it once n is fulfilled.
func (e *evaluator) boundary(n *Node) func() {
	e.daemons = append(e.daemons, nil)
	return func() {
		last := len(e.daemons) - 1
		started := e.daemons[last]
		e.daemons = e.daemons[:last]
		if !n.Phase.Fulfilled() {
			return
		}
		for _, d := range started {
			r := d.result
			at := e.obs.Now
			r.Phase, r.Message, r.FinishedAt, r.Daemoned = Succeeded, "", &at, false
			e.actions.StopJobs = append(e.actions.StopJobs, JobToStop{Job: d.job, Result: r})
			d.node.Phase, d.node.Message, d.node.FinishedAt, d.node.Daemoned = Succeeded, "", &at, false
		}
	}
}

// daemoned records a daemoned node in its innermost scope. A daemon
// outside any steps or dag node (the entrypoint itself) runs until the
// workflow is stopped.
func (e *evaluator) daemoned(n *Node, job string, r PodResult) {
	if last := len(e.daemons) - 1; last >= 0 {
		e.daemons[last] = append(e.daemons[last], daemon{node: n, job: job, result: r})
	}
}
