package watch

import (
	"errors"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// A key-only input artifact's key is looked up among what the whole
// workflow has saved so far (artifact_keys.go), so finding nothing there
// is not final in itself: an unrelated branch may save the key later,
// and the node, had it errored, would start then. The driver records the
// error on the workflow object (AnnotationInputErrors) before the node
// errs, as it records a memoized node's lookup, so that the decision
// sticks, across evaluations and drivers.

// InputError asks the driver to record why a node's inputs cannot be
// resolved.
type InputError struct {
	Node    string // its ID
	Message string
}

// inputs resolves node n's inputs (see compile.InputVars); ok is false
// when n cannot start: it errs, or waits for its error to be recorded.
func (e *evaluator) inputs(n *Node, t *wfv1.Template, args wfv1.Arguments, scope, local compile.Vars) (compile.Vars, bool) {
	if msg, recorded := e.obs.InputErrors[n.ID]; recorded {
		e.touched++
		e.fail(n, Error, "%s", msg)
		return nil, false
	}
	inputs, err := compile.CalledInputVars(t, args, scope, local, e.keys)
	switch keyErr := (*compile.KeyedInputError)(nil); {
	case errors.As(err, &keyErr):
		// As a pod that never started, under a shutdown or suspend the
		// node has not looked its key up yet.
		if !e.holdBack(n) {
			n.Phase = Pending
			e.actions.RecordInputErrors = append(e.actions.RecordInputErrors, InputError{Node: n.ID, Message: err.Error()})
		}
		return nil, false
	case err != nil:
		e.fail(n, Error, "%s", err)
		return nil, false
	}
	return inputs, true
}
