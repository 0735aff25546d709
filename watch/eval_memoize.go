package watch

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Template-level memoize, as in Argo: a node of a memoized template first
// looks its key up in the cache ConfigMap; an entry (younger than maxAge)
// makes it Succeeded with the entry's outputs, running nothing; otherwise
// it runs, and once it Succeeded its outputs are saved under the key.
//
// Whether a lookup hit is a decision read from outside the workflow, and
// the cache may change at any time, so the driver makes it and records it
// on the workflow object (AnnotationMemos) before anything acts on it, as
// it takes a node's locks before the node starts: the evaluation stays a
// function of what exists, and a driver that takes over after a crash
// makes the same decision. The save is recorded there too, so that it is
// done once and the node counts as Succeeded only once it was done.

// cacheKeyPattern is what Argo accepts as a cache key (cache.go): a
// narrower set than ConfigMap keys.
var cacheKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`)

// MemoState is what the driver decided for a memoized node.
type MemoState struct {
	Key   string `json:"key"`
	Cache string `json:"cache"`
	Hit   bool   `json:"hit"`
	// DecidedAt is when the cache was read: a hit node's start and end.
	DecidedAt time.Time `json:"decidedAt"`
	// Outputs are a hit's, from the cache entry.
	Outputs *Outputs `json:"outputs,omitempty"`
	// Error says why the cache could not be read: the node errs.
	Error string `json:"error,omitempty"`
	// Saved: a miss's outputs were saved; SaveError says why they could
	// not be, which errs the node, as in Argo.
	Saved     bool   `json:"saved,omitempty"`
	SaveError string `json:"saveError,omitempty"`
}

// MemoizationStatus is Argo's node.memoizationStatus.
type MemoizationStatus struct {
	Hit       bool   `json:"hit"`
	Key       string `json:"key"`
	CacheName string `json:"cacheName"`
}

// MemoLookup asks the driver to look a memoized node's key up.
type MemoLookup struct {
	Node  string // its ID
	Key   string
	Cache string
	// MaxAge, when set, is how old an entry may be and still hit.
	MaxAge *time.Duration
}

// MemoSave asks the driver to save a node's outputs under its key.
type MemoSave struct {
	Node    string // its ID
	Key     string
	Cache   string
	Outputs *wfv1.Outputs
	// DecidedAt is the lookup's time: an entry of this node created since
	// is this save's, made before a crash.
	DecidedAt time.Time
}

// memoized evaluates node n of template t through its cache, then runs it
// on a miss.
func (e *evaluator) memoized(n *Node, t *wfv1.Template, vars compile.Vars, depth int) {
	if t.Memoize == nil {
		e.run(n, t, vars, depth)
		return
	}
	st, decided := e.obs.Memos[n.ID]
	if !decided {
		lookup, msg := memoLookup(n.ID, t.Memoize, vars)
		switch {
		case msg != "":
			e.fail(n, Error, "%s", msg)
		case e.holdBack(n):
		default:
			n.Phase = Pending
			e.actions.DecideMemos = append(e.actions.DecideMemos, lookup)
		}
		return
	}
	e.touched++
	n.Memoization = &MemoizationStatus{Hit: st.Hit, Key: st.Key, CacheName: st.Cache}
	switch {
	case st.Error != "":
		e.fail(n, Error, "%s", st.Error)
		n.StartedAt, n.FinishedAt = &st.DecidedAt, &st.DecidedAt
	case st.Hit:
		n.Phase, n.Outputs = Succeeded, st.Outputs
		n.StartedAt, n.FinishedAt = &st.DecidedAt, &st.DecidedAt
		e.exportGlobals(n, t, vars)
	default:
		e.run(n, t, vars, depth)
		switch {
		case n.Phase != Succeeded:
		case st.SaveError != "":
			e.fail(n, Error, "%s", st.SaveError)
		case !st.Saved:
			// Succeeded once saved: what follows must not start on a
			// node whose save may still fail it.
			n.Phase = Running
			e.actions.SaveMemos = append(e.actions.SaveMemos, MemoSave{Node: n.ID, Key: st.Key, Cache: st.Cache,
				Outputs: argoOutputs(t, n.Outputs), DecidedAt: st.DecidedAt})
		}
	}
}

// memoLookup resolves a memoize block's key, cache and maxAge, or says
// why they cannot be used, in Argo's words.
func memoLookup(node string, m *wfv1.Memoize, vars compile.Vars) (MemoLookup, string) {
	l := MemoLookup{Node: node}
	for _, f := range []struct {
		dst *string
		src string
	}{{&l.Key, m.Key}, {&l.Cache, m.Cache.ConfigMap.Name}} {
		v, missing := vars.Resolve(f.src)
		if len(missing) > 0 {
			return l, fmt.Sprintf("failed to resolve {{%s}}", missing[0])
		}
		*f.dst = v
	}
	if !cacheKeyPattern.MatchString(l.Key) {
		return l, fmt.Sprintf("invalid cache key: %s", l.Key)
	}
	if m.MaxAge != "" {
		raw, missing := vars.Resolve(m.MaxAge)
		if len(missing) > 0 {
			return l, fmt.Sprintf("failed to resolve {{%s}}", missing[0])
		}
		d, err := time.ParseDuration(raw)
		if err != nil {
			return l, fmt.Sprintf("invalid maxAge: %v", err)
		}
		l.MaxAge = &d
	}
	return l, ""
}

// argoOutputs writes a node's outputs as Argo keeps them in a cache entry:
// its output parameters in the template's order, with their valueFrom.
func argoOutputs(t *wfv1.Template, o *Outputs) *wfv1.Outputs {
	out := &wfv1.Outputs{}
	if o == nil {
		return out
	}
	out.Result, out.ExitCode = o.Result, o.ExitCode
	seen := map[string]bool{}
	for _, p := range t.Outputs.Parameters {
		v, ok := o.Parameters[p.Name]
		if !ok || seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		out.Parameters = append(out.Parameters, wfv1.Parameter{Name: p.Name, Value: wfv1.ParseAnyString(v), ValueFrom: p.ValueFrom, GlobalName: p.GlobalName})
	}
	var rest []string
	for name := range o.Parameters {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		out.Parameters = append(out.Parameters, wfv1.Parameter{Name: name, Value: wfv1.ParseAnyString(o.Parameters[name])})
	}
	return out
}

// nodeOutputs reads a cache entry's outputs as a node's.
func nodeOutputs(o *wfv1.Outputs) *Outputs {
	out := &Outputs{Parameters: map[string]string{}}
	if o == nil {
		return out
	}
	out.Result, out.ExitCode = o.Result, o.ExitCode
	for _, p := range o.Parameters {
		if p.Value != nil {
			out.Parameters[p.Name] = p.Value.String()
		}
	}
	return out
}
