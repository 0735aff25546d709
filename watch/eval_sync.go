package watch

import (
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Template-level synchronization: a node of a template with mutexes or
// semaphores starts only once it holds them all, and holds them until it
// ends, as in Argo. Holding is a fact of the cluster (a lock's Lease names
// the node as its holder, see sync.go), so the evaluation stays a function
// of what exists: the driver takes the locks a waiting node asks for, and
// the next evaluation lets the node start.

// synchronized evaluates node n of template t, which takes locks.
func (e *evaluator) synchronized(n *Node, t *wfv1.Template, vars compile.Vars, depth int) {
	locks := lockSpecs(e.obs.Namespace, t.Synchronization, func(s string) string {
		out, _ := vars.Resolve(s)
		return out
	})
	held := e.obs.Locks[n.ID]
	if holdsAll(held, locks) {
		e.memoized(n, t, vars, depth)
		if n.Phase.Fulfilled() {
			e.actions.ReleaseLocks = append(e.actions.ReleaseLocks, n.ID)
		}
		return
	}
	// Without its locks, a node that started already ran under them (and
	// may have released some): it goes on to its end. One that did not
	// start waits for them.
	m := e.mark()
	e.memoized(n, t, vars, depth)
	if e.startedSince(m) {
		if n.Phase.Fulfilled() && len(held) > 0 {
			e.actions.ReleaseLocks = append(e.actions.ReleaseLocks, n.ID)
		}
		return
	}
	e.undo(m)
	*n = Node{ID: n.ID, Name: n.Name, DisplayName: n.DisplayName, Type: n.Type, Template: n.Template}
	if e.holdBack(n) {
		return
	}
	n.Phase = Pending
	e.lockToAcquire(n.ID)
	e.actions.AcquireLocks = append(e.actions.AcquireLocks, LockRequest{Node: n.ID, locks: locks})
}

// holdsAll reports whether every lock of locks is among held keys.
func holdsAll(held []string, locks []lockSpec) bool {
	for _, l := range locks {
		if !slices.Contains(held, l.key) {
			return false
		}
	}
	return true
}
