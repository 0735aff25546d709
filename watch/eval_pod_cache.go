package watch

import (
	"hash/maphash"
	"time"

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
// garbage. It also keeps the shape of each DAG template (dagShape), which
// follows from the template alone. Not safe for concurrent use.
type Evaluator struct {
	w    *compile.Workflow
	pods podBuilds
	dags dagShapes
}

// NewEvaluator returns an Evaluator of w.
func NewEvaluator(w *compile.Workflow) *Evaluator {
	return &Evaluator{w: w, pods: podBuilds{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, byNode: map[string]podBuild{}}, dags: dagShapes{}}
}

// Evaluate is Evaluate(w, obs).
func (ev *Evaluator) Evaluate(obs Observed) (*Status, *Actions) {
	return evaluate(ev.w, obs, &ev.pods, ev.dags)
}

// podBuilds are what was found of each pod node (by name) at its last
// build, with what the build depended on: the template (held, so that its
// address names it) and a fingerprint of the variables.
type podBuilds struct {
	seeds  [2]maphash.Seed
	byNode map[string]podBuild
}

type podBuild struct {
	template *wfv1.Template
	vars     varsPrint
	// failure is the node's Error message when its Job cannot be built.
	failure string
	// deadline is the Job's pod's activeDeadlineSeconds; pendingLimit
	// how long its pod may stay pending (see pendingLimit).
	deadline     *int64
	pendingLimit time.Duration
}

// varsPrint identifies a set of variables: two independent 64-bit sums of
// each name and value's hash, so the order of a map does not matter.
type varsPrint struct {
	n   int
	sum [2]uint64
}

func (m *podBuilds) print(vars compile.Vars) varsPrint {
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
func (m *podBuilds) lookup(node string, t *wfv1.Template, vars compile.Vars) (podBuild, bool) {
	if m == nil {
		return podBuild{}, false
	}
	b, ok := m.byNode[node]
	if !ok || b.template != t || b.vars != m.print(vars) {
		return podBuild{}, false
	}
	return b, true
}

func (m *podBuilds) remember(node string, t *wfv1.Template, vars compile.Vars, b podBuild) {
	if m == nil {
		return
	}
	b.template, b.vars = t, m.print(vars)
	m.byNode[node] = b
}

// forget drops a node whose Job has ended: it is not built again.
func (m *podBuilds) forget(node string) {
	if m != nil {
		delete(m.byNode, node)
	}
}
