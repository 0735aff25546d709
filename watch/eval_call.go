package watch

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// call is a step or a task: a template run with arguments, maybe looped,
// maybe conditional.
type call struct {
	name, display, template, when, param string
	// local are the called template's own variables, as Argo's
	// localParams: steps.name or tasks.name, the step's or task's name.
	local compile.Vars
	args  wfv1.Arguments
	items []wfv1.Item
	seq   *wfv1.Sequence
}

func (c call) loops() bool { return c.items != nil || c.param != "" || c.seq != nil }

// expand evaluates a call's nodes: one node, or one per loop item. An
// unresolvable reference or a bad loop is an Error node named after the call.
func (e *evaluator) expand(c call, scope compile.Vars, depth int) []*Node {
	t, ok := e.w.Template(c.template)
	if !ok {
		return []*Node{e.fail(e.newNode(c.name, c.display, "Unknown", c.template), Error, "template %q is not defined", c.template)}
	}
	if !c.loops() {
		return []*Node{e.one(c.name, c.display, t, c, scope, depth)}
	}
	param, missing := scope.Resolve(c.param)
	seq := c.seq
	if seq != nil {
		seq = copySequence(seq)
		missing = append(missing, resolveSequence(seq, scope)...)
	}
	if len(missing) > 0 {
		return []*Node{e.fail(e.newNode(c.name, c.display, compile.NodeType(t), t.Name), Error, "failed to resolve {{%s}}", missing[0])}
	}
	items, err := compile.LoopItems(c.items, param, seq)
	if err != nil {
		return []*Node{e.fail(e.newNode(c.name, c.display, compile.NodeType(t), t.Name), Error, "%v", err)}
	}
	if len(items) == 0 {
		// Argo records an empty loop as one Skipped node, which a DAG's
		// depends then reads as Skipped (so X.Succeeded does not hold).
		return []*Node{e.fail(e.newNode(c.name, c.display, "Skipped", t.Name), Skipped, "Skipped, empty params")}
	}
	nodes := make([]*Node, len(items))
	for i, item := range items {
		label := item.NodeLabel()
		ci := c
		ci.local = compile.LoopLocal(c.local, i, label)
		nodes[i] = e.one(compile.LoopNodeName(c.name, i, label), compile.LoopNodeName(c.display, i, label), t, ci, scope.With(compile.ItemVars(item)), depth)
	}
	return nodes
}

// one evaluates a single node of a call, after its `when`.
func (e *evaluator) one(name, display string, t *wfv1.Template, c call, scope compile.Vars, depth int) *Node {
	if c.when != "" {
		when, missing := scope.Resolve(c.when)
		if len(missing) > 0 {
			return e.fail(e.newNode(name, display, compile.NodeType(t), t.Name), Error, "failed to resolve {{%s}}", missing[0])
		}
		ok, err := compile.EvalWhen(when)
		if err != nil {
			return e.fail(e.newNode(name, display, compile.NodeType(t), t.Name), Error, "%v", err)
		}
		if !ok {
			return e.fail(e.newNode(name, display, "Skipped", t.Name), Skipped, "when '%s' evaluated false", when)
		}
	}
	args := wfv1.Arguments{Parameters: make([]wfv1.Parameter, len(c.args.Parameters)), Artifacts: c.args.Artifacts}
	for i, a := range c.args.Parameters {
		args.Parameters[i] = a
		if a.Value != nil {
			if scope.AbsentRef(a.Value.String()) {
				// Argo passes nothing, so the input's own default applies.
				args.Parameters[i].Value, args.Parameters[i].Default = nil, nil
				continue
			}
			v, _ := scope.Resolve(a.Value.String())
			args.Parameters[i].Value = wfv1.ParseAnyString(v)
		}
	}
	return e.node(name, display, t, args, scope, c.local, depth+1)
}

// outputVars are the variables a finished step or task gives its siblings:
// PREFIX.NAME.{id,status,exitCode,startedAt,finishedAt,outputs.…}. A loop
// gives JSON lists of its children's results and parameters.
func (e *evaluator) outputVars(prefix string, nodes []*Node, looped bool) compile.Vars {
	v := compile.Vars{}
	e.addOutputVars(v, prefix, nodes, looped)
	return v
}

// addOutputVars sets outputVars in v.
func (e *evaluator) addOutputVars(v compile.Vars, prefix string, nodes []*Node, looped bool) {
	if looped {
		maps.Copy(v, aggregateOutputs(prefix, nodes))
		return
	}
	n := e.lastAttempt(nodes[0])
	v[prefix+".id"] = n.ID
	v[prefix+".status"] = string(n.Phase)
	if n.PodIP != "" {
		v[prefix+".ip"] = n.PodIP
	}
	if n.HostNodeName != "" {
		v[prefix+".hostNodeName"] = n.HostNodeName
	}
	if n.StartedAt != nil {
		v[prefix+".startedAt"] = e.timeText(*n.StartedAt)
	}
	if n.FinishedAt != nil {
		v[prefix+".finishedAt"] = e.timeText(*n.FinishedAt)
	}
	if n.Outputs == nil {
		if n.Phase == Skipped || n.Phase == Omitted {
			e.skippedOutputs(v, prefix, n)
		}
		return
	}
	if n.Outputs.ExitCode != nil {
		v[prefix+".exitCode"] = *n.Outputs.ExitCode
	}
	if n.Outputs.Result != nil {
		v[prefix+".outputs.result"] = *n.Outputs.Result
	}
	for k, x := range n.Outputs.Parameters {
		v[prefix+".outputs.parameters."+k] = x
	}
	for _, a := range n.Outputs.Artifacts {
		v[prefix+".outputs.artifacts."+a.Name] = a.String()
	}
}

// lastAttempt is what a step or task gives its siblings for node n: n, or
// for a retried node its last attempt (not a hook), as Argo's local scope
// reads the attempt's id, times, status, pod IP, host node and outputs.
func (e *evaluator) lastAttempt(n *Node) *Node {
	if n.Type != compile.NodeRetry || (n.Memoization != nil && n.Memoization.Hit) {
		return n
	}
	for _, id := range slices.Backward(n.Children) {
		if c := e.status.Nodes[id]; c != nil && strings.HasPrefix(c.Name, n.Name+"(") {
			return c
		}
	}
	return n
}

// timeText is t as outputVars give it, to the second. The nodes of a wide
// workflow start and end within few seconds, so each evaluation formats a
// second once.
func (e *evaluator) timeText(t time.Time) string {
	sec := t.Unix()
	if s, ok := e.timeTexts[sec]; ok {
		return s
	}
	if e.timeTexts == nil {
		e.timeTexts = map[int64]string{}
	}
	s := t.UTC().Format("2006-01-02T15:04:05Z")
	e.timeTexts[sec] = s
	return s
}

// skippedOutputs sets what references to the outputs of a Skipped or
// Omitted node resolve to, by Argo's rule (docs/variables.md, "Outputs of
// Skipped and Omitted Nodes"): each declared output parameter to its
// valueFrom.default, else to absent, as a declared result.
func (e *evaluator) skippedOutputs(v compile.Vars, prefix string, n *Node) {
	t, ok := e.w.Template(n.Template)
	if !ok {
		return
	}
	for _, p := range t.Outputs.Parameters {
		name := prefix + ".outputs.parameters." + p.Name
		if p.ValueFrom != nil && p.ValueFrom.Default != nil {
			v[name] = p.ValueFrom.Default.String()
		} else {
			v.SetAbsent(name)
		}
	}
	// Argo's steps give a skipped node's artifacts an empty placeholder;
	// absent makes a from of one fail to resolve, and a fromExpression
	// that takes it give nil.
	for _, a := range t.Outputs.Artifacts {
		v.SetAbsent(prefix + ".outputs.artifacts." + a.Name)
	}
	if t.Outputs.Result != nil {
		v.SetAbsent(prefix + ".outputs.result")
	}
}

// aggregateOutputs are a loop's outputs, from its Succeeded children in
// loop order, as Argo aggregates them (operator.go,
// processAggregateNodeOutputs): outputs.result lists each result as the
// JSON value it holds (an object stays an object, so {{item.KEY}} reads
// it), outputs.parameters lists each child's parameters, and
// outputs.parameters.NAME lists the values, parsed only when every one is
// a JSON object or list.
func aggregateOutputs(prefix string, nodes []*Node) compile.Vars {
	results := []any{}
	params := []map[string]string{}
	byName := map[string][]string{}
	for _, n := range nodes {
		if n.Outputs == nil || n.Phase != Succeeded {
			continue
		}
		if n.Outputs.Result != nil {
			results = append(results, jsonOrString(*n.Outputs.Result))
		}
		if len(n.Outputs.Parameters) > 0 {
			params = append(params, n.Outputs.Parameters)
		}
		for k, x := range n.Outputs.Parameters {
			byName[k] = append(byName[k], x)
		}
	}
	v := compile.Vars{}
	v[prefix+".outputs.result"] = mustJSON(results)
	v[prefix+".outputs.parameters"] = mustJSON(params)
	for k, xs := range byName {
		v[prefix+".outputs.parameters."+k] = mustJSON(parsedIfAllCompound(xs))
	}
	return v
}

// jsonOrString is a result as the JSON value it holds. Argo fails the
// whole loop on a result that is not JSON (plain text); kubectl-wf, which
// always captures results, lists it as a string instead.
func jsonOrString(s string) any {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return s
}

// parsedIfAllCompound is Argo's aggregatedJSONValueList: the values parsed
// when each is a JSON object or list, else the strings as they are.
func parsedIfAllCompound(values []string) any {
	parsed := make([]any, len(values))
	for i, s := range values {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return values
		}
		switch v.(type) {
		case map[string]any, []any:
			parsed[i] = v
		default:
			return values
		}
	}
	return parsed
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding %T: %v", v, err)) // strings, valid raw JSON and maps of them always encode
	}
	return string(b)
}

func copySequence(s *wfv1.Sequence) *wfv1.Sequence {
	c := *s
	return &c
}

// resolveSequence substitutes tags in a sequence's string-valued fields.
func resolveSequence(s *wfv1.Sequence, scope compile.Vars) []string {
	var missing []string
	for _, f := range []**intstr.IntOrString{&s.Count, &s.Start, &s.End} {
		if *f == nil || (*f).StrVal == "" {
			continue
		}
		c := **f
		var m []string
		c.StrVal, m = scope.Resolve(c.StrVal)
		missing = append(missing, m...)
		*f = &c
	}
	return missing
}
