package watch

import (
	"hash/maphash"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Evaluator evaluates one workflow again and again, as its driver does on
// every reconcile. It gives what Evaluate gives, but remembers for each pod
// node whose Job exists and has not ended what building that Job found (its
// pod's activeDeadlineSeconds, or why it cannot be built), so that the Job
// is not built again while the node's template and variables stay the same:
// on a wide workflow most nodes wait or run while a few change, and
// rebuilding all their Jobs on every event was most of the driver's
// garbage. Not safe for concurrent use.
type Evaluator struct {
	w    *compile.Workflow
	pods podMemos
}

// NewEvaluator returns an Evaluator of w.
func NewEvaluator(w *compile.Workflow) *Evaluator {
	return &Evaluator{w: w, pods: podMemos{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, byNode: map[string]podMemo{}}}
}

// Evaluate is Evaluate(w, obs).
func (ev *Evaluator) Evaluate(obs Observed) (*Status, *Actions) {
	return evaluate(ev.w, obs, &ev.pods)
}

// podMemos are what was found of each pod node (by name) at its last
// build, with what the build depended on: the template (held, so that its
// address names it) and a fingerprint of the variables.
type podMemos struct {
	seeds  [2]maphash.Seed
	byNode map[string]podMemo
}

type podMemo struct {
	template *wfv1.Template
	vars     varsPrint
	// failure is the node's Error message when its Job cannot be built.
	failure string
	// deadline is the Job's pod's activeDeadlineSeconds.
	deadline *int64
}

// varsPrint identifies a set of variables: two independent 64-bit sums of
// each name and value's hash, so the order of a map does not matter.
type varsPrint struct {
	n   int
	sum [2]uint64
}

func (m *podMemos) print(vars compile.Vars) varsPrint {
	p := varsPrint{n: len(vars)}
	var h maphash.Hash
	for k, v := range vars {
		for i, seed := range m.seeds {
			h.SetSeed(seed)
			h.WriteString(k)
			h.WriteByte(0)
			h.WriteString(v)
			p.sum[i] += h.Sum64()
		}
	}
	return p
}

// lookup returns what the last build of node's Job found, if it was built
// from the same template and variables.
func (m *podMemos) lookup(node string, t *wfv1.Template, vars compile.Vars) (podMemo, bool) {
	if m == nil {
		return podMemo{}, false
	}
	memo, ok := m.byNode[node]
	if !ok || memo.template != t || memo.vars != m.print(vars) {
		return podMemo{}, false
	}
	return memo, true
}

func (m *podMemos) remember(node string, t *wfv1.Template, vars compile.Vars, memo podMemo) {
	if m == nil {
		return
	}
	memo.template, memo.vars = t, m.print(vars)
	m.byNode[node] = memo
}

// forget drops a node whose Job has ended: it is not built again.
func (m *podMemos) forget(node string) {
	if m != nil {
		delete(m.byNode, node)
	}
}
