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
func (e *evaluator) podToCreate(node string) { e.countToward(node) }

// lockToAcquire records what a node waiting for its locks counts toward:
// like a Job, it is admitted only while the bounds allow, so a node never
// holds locks while parallelism holds it back (Argo checks parallelism
// before it takes locks).
func (e *evaluator) lockToAcquire(nodeID string) { e.countToward(lockKey(nodeID)) }

func lockKey(nodeID string) string { return "lock " + nodeID }

func (e *evaluator) countToward(key string) {
	if e.pending == nil {
		e.pending = map[string]limitedCreate{}
	}
	c := limitedCreate{limits: make([]*limit, len(e.limits)), members: make([]string, len(e.limits))}
	for i, l := range e.limits {
		c.limits[i], c.members[i] = l, l.member
	}
	e.pending[key] = c
}

// admit keeps the Jobs to create, then the locks to take, that the bounds
// allow, in order.
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
	fits := func(key string) bool {
		lc := e.pending[key]
		if wfMax != nil && int64(pods) >= *wfMax {
			return false
		}
		for i, l := range lc.limits {
			m := lc.members[i]
			if !l.active[m] && !admitted[l][m] && int64(len(l.active)+len(admitted[l])) >= l.max {
				return false
			}
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
		return true
	}
	kept := e.actions.Create[:0]
	for _, c := range e.actions.Create {
		if fits(c.Node) {
			kept = append(kept, c)
		} // else its node stays Pending until a later evaluation
	}
	e.actions.Create = kept
	locks := e.actions.AcquireLocks[:0]
	for _, r := range e.actions.AcquireLocks {
		if _, counted := e.pending[lockKey(r.Node)]; !counted || fits(lockKey(r.Node)) {
			locks = append(locks, r)
		}
	}
	e.actions.AcquireLocks = locks
}
