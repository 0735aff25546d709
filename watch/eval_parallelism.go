package watch

import (
	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Parallelism, as Argo counts it: spec.parallelism bounds the pods of the
// workflow that are pending or running; a steps or dag template's
// parallelism bounds its own children (steps, tasks and their loop
// items, each counted once however many pods run under it) that are
// pending or running. Nested templates' children count toward their own
// template only.
//
// The evaluator decides every node first; the Jobs it would create are
// then admitted in evaluation order while the bounds allow, and the rest
// wait, Pending, for a later evaluation. Only Jobs that exist in the
// cluster count as running, so a new driver reaches the same decisions.

// limit is one template's parallelism while its children are evaluated.
type limit struct {
	max    int64
	depth  int             // the template node's depth; its children's is depth+1
	member string          // the child being evaluated now
	active map[string]bool // children with a pod pending or running
}

// limitedCreate is what a Job to create counts toward: each enclosing
// limit and the child of it that the Job runs under.
type limitedCreate struct {
	limits  []*limit
	members []string
}

// pushLimit starts counting t's children, when t bounds them; the
// returned func ends it.
func (e *evaluator) pushLimit(t *wfv1.Template, depth int) func() {
	if t.Parallelism == nil {
		return func() {}
	}
	e.limits = append(e.limits, &limit{max: *t.Parallelism, depth: depth, active: map[string]bool{}})
	return func() { e.limits = e.limits[:len(e.limits)-1] }
}

// enterNode notes which child of a bounded template is being evaluated.
func (e *evaluator) enterNode(name string, depth int) {
	for _, l := range e.limits {
		if l.depth == depth-1 {
			l.member = name
		}
	}
}

// podActive counts a pod that exists and has not ended.
func (e *evaluator) podActive() {
	e.activePods++
	for _, l := range e.limits {
		l.active[l.member] = true
	}
}

// podToCreate records what the Job of node counts toward.
func (e *evaluator) podToCreate(node string) {
	if e.pending == nil {
		e.pending = map[string]limitedCreate{}
	}
	c := limitedCreate{limits: make([]*limit, len(e.limits)), members: make([]string, len(e.limits))}
	for i, l := range e.limits {
		c.limits[i], c.members[i] = l, l.member
	}
	e.pending[node] = c
}

// admit keeps the Jobs to create that the bounds allow, in order.
func (e *evaluator) admit() {
	var wfMax *int64
	if p := e.w.Spec.Parallelism; p != nil {
		wfMax = p
	}
	if wfMax == nil && len(e.pending) == 0 {
		return
	}
	admitted := map[*limit]map[string]bool{}
	pods := e.activePods
	kept := e.actions.Create[:0]
	for _, c := range e.actions.Create {
		lc := e.pending[c.Node]
		ok := wfMax == nil || int64(pods) < *wfMax
		for i, l := range lc.limits {
			m := lc.members[i]
			if !l.active[m] && !admitted[l][m] && int64(len(l.active)+len(admitted[l])) >= l.max {
				ok = false
			}
		}
		if !ok {
			continue // its node stays Pending until a later evaluation
		}
		pods++
		for i, l := range lc.limits {
			if admitted[l] == nil {
				admitted[l] = map[string]bool{}
			}
			if !l.active[lc.members[i]] {
				admitted[l][lc.members[i]] = true
			}
		}
		kept = append(kept, c)
	}
	e.actions.Create = kept
}
