package compile

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// Node types, as Argo names them.
const (
	NodePod       = "Pod"
	NodeSteps     = "Steps"
	NodeStepGroup = "StepGroup"
	NodeDAG       = "DAG"
	NodeTaskGroup = "TaskGroup"
	NodeSuspend   = "Suspend"
	NodeResource  = "Resource"
	NodeRetry     = "Retry"
	NodeContainer = "Container"
)

// maxDepth bounds template nesting, as Argo bounds recursion.
const maxDepth = 100

// PlannedNode is one node of the workflow as far as it is known before
// anything runs.
type PlannedNode struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Template string `json:"template"`
	// Job is the Job that runs the node, when it is known now.
	Job string `json:"job,omitempty"`
	// Deferred says why the node and what is below it can only be worked
	// out at run time (a `when`, or a value another node outputs).
	Deferred string `json:"deferred,omitempty"`
}

// Plan is what submitting a workflow creates up front, plus the nodes
// that the driver will lower at run time.
type Plan struct {
	Workflow   *Workflow
	Nodes      []PlannedNode
	Jobs       []*batchv1.Job
	ConfigMaps []*corev1.ConfigMap
}

// Compile lowers the statically known part of a workflow to Jobs and
// ConfigMaps. It is pure: no client, no I/O.
func Compile(w *Workflow) (*Plan, error) {
	p := &planner{w: w, plan: &Plan{Workflow: w}, globals: w.GlobalVars(), tags: map[*wfv1.Template]*tagTree{}}
	entry, ok := w.Template(w.Spec.Entrypoint)
	if !ok {
		return nil, fmt.Errorf("entrypoint template %q is not defined", w.Spec.Entrypoint)
	}
	if err := p.node(w.Name, entry, w.Spec.Arguments, p.globals, TopLocal(), 0); err != nil {
		return nil, err
	}
	if t, ok := w.Template(w.Spec.OnExit); ok {
		p.defer_(w.Name+".onExit", t, NodeType(t), "the exit handler runs once the workflow has ended")
	}
	return p.plan, nil
}

type planner struct {
	w       *Workflow
	plan    *Plan
	globals Vars
	// tags caches each pod template's tag tree: a big DAG instantiates
	// one template thousands of times.
	tags map[*wfv1.Template]*tagTree
}

func (p *planner) defer_(name string, t *wfv1.Template, typ, why string) {
	p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: name, Type: typ, Template: t.Name, Deferred: why})
}

// node plans the node `name` running template t with args, whose values
// are resolved with scope (the caller's variables).
func (p *planner) node(name string, t *wfv1.Template, args wfv1.Arguments, scope, local Vars, depth int) error {
	typ := NodeType(t)
	if depth > maxDepth {
		p.defer_(name, t, typ, fmt.Sprintf("nesting deeper than %d templates", maxDepth))
		return nil
	}
	inputs, err := CalledInputVars(t, args, scope, local, nil)
	if missing := (*MissingInputsError)(nil); errors.As(err, &missing) {
		p.defer_(name, t, typ, needs(missing.Names))
		return nil
	}
	if err != nil {
		// The driver errs the node, as Argo does: what its caller
		// passes is wrong, which does not make the workflow invalid.
		p.defer_(name, t, typ, "errs at run time: "+err.Error())
		return nil
	}
	vars := p.globals.With(inputs)
	maps.Copy(vars, local)
	if retried(t) && (t.RetryStrategy != nil || p.w.Spec.RetryStrategy != nil) {
		// The driver runs attempts NAME(0), NAME(1), …; the first is
		// known now.
		p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: name, Type: NodeRetry, Template: t.Name})
		maps.Copy(vars, AttemptVars(name, 0))
		name = RetryNodeName(name, 0)
	}
	switch typ {
	case NodePod, NodeHTTP:
		return p.pod(name, t, vars)
	case NodeSteps:
		p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: name, Type: typ, Template: t.Name})
		return p.steps(name, t, vars, depth)
	case NodeDAG:
		p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: name, Type: typ, Template: t.Name})
		return p.dag(name, t, vars, depth)
	case NodeResource:
		p.defer_(name, t, typ, "the driver performs the resource action at run time")
	default:
		p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: name, Type: typ, Template: t.Name})
	}
	return nil
}

// pod plans a pod node; vars are its own, made for it by node.
func (p *planner) pod(name string, t *wfv1.Template, vars Vars) error {
	tags, ok := p.tags[t]
	if !ok {
		tags = podTags(t)
		p.tags[t] = tags
	}
	vars["node.name"], vars["pod.name"] = NodeName(vars, name), PodNameRef
	inst, missing := instantiate(t, tags, vars)
	if len(missing) > 0 {
		p.defer_(name, t, NodeType(t), needs(missing))
		return nil
	}
	job, script, err := p.w.PodObjects(name, inst)
	if unresolved := (*unresolvedError)(nil); errors.As(err, &unresolved) {
		p.defer_(name, t, NodeType(t), needs(unresolved.names))
		return nil
	}
	if err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: name, Type: NodeType(t), Template: t.Name, Job: job.Name})
	p.plan.Jobs = append(p.plan.Jobs, job)
	if script != nil {
		p.plan.ConfigMaps = append(p.plan.ConfigMaps, script)
	}
	return nil
}

func (p *planner) steps(parent string, t *wfv1.Template, vars Vars, depth int) error {
	for g, group := range t.Steps {
		groupName := StepGroupNodeName(parent, g)
		p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: groupName, Type: NodeStepGroup, Template: t.Name})
		for k := range group.Steps {
			step := group.Steps[k]
			call := call{name: StepNodeName(parent, g, step.Name), template: step.Template, when: step.When, local: Vars{"steps.name": step.Name},
				args: step.Arguments, items: step.WithItems, param: step.WithParam, seq: step.WithSequence}
			if err := p.call(call, vars, depth, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *planner) dag(parent string, t *wfv1.Template, vars Vars, depth int) error {
	_, run, err := DAGTargets(t.DAG, vars)
	if err != nil {
		return fmt.Errorf("node %s: %w", parent, err)
	}
	for k := range t.DAG.Tasks {
		task := t.DAG.Tasks[k]
		if run != nil && !run[task.Name] {
			continue
		}
		call := call{name: TaskNodeName(parent, task.Name), template: task.Template, when: task.When, local: Vars{"tasks.name": task.Name},
			args: task.Arguments, items: task.WithItems, param: task.WithParam, seq: task.WithSequence}
		if err := p.call(call, vars, depth, true); err != nil {
			return err
		}
	}
	return nil
}

// call is a step or task: a template invoked with arguments, maybe looped.
type call struct {
	name, template, when, param string
	// local are the called template's own variables, as Argo's
	// localParams: steps.name or tasks.name.
	local Vars
	args  wfv1.Arguments
	items []wfv1.Item
	seq   *wfv1.Sequence
}

func (p *planner) call(c call, vars Vars, depth int, dag bool) error {
	t, ok := p.w.Template(c.template)
	if !ok {
		return fmt.Errorf("node %s: template %q is not defined", c.name, c.template)
	}
	if c.when != "" {
		p.defer_(c.name, t, NodeType(t), "`when` is evaluated at run time")
		return nil
	}
	if c.items == nil && c.param == "" && c.seq == nil {
		return p.node(c.name, t, c.args, vars, c.local, depth+1)
	}
	param, missing := vars.Resolve(c.param)
	seq := c.seq
	if seq != nil {
		var m []string
		seq, m = substitute(seq, vars)
		missing = append(missing, m...)
	}
	if len(missing) > 0 {
		p.defer_(c.name, t, NodeType(t), "the loop's items "+needs(missing))
		return nil
	}
	items, err := LoopItems(c.items, param, seq)
	if err != nil {
		return fmt.Errorf("node %s: %w", c.name, err)
	}
	if dag {
		p.plan.Nodes = append(p.plan.Nodes, PlannedNode{Name: c.name, Type: NodeTaskGroup, Template: t.Name})
	}
	for i, item := range items {
		label := item.NodeLabel()
		if err := p.node(LoopNodeName(c.name, i, label), t, c.args, vars.With(ItemVars(item)), LoopLocal(c.local, i, label), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// InputVars resolves a template's inputs from the arguments of its caller
// (resolved in scope): parameters fall back to the inputs' own value or
// default, artifacts to their own raw data (see inputArtifactVars). It
// returns the inputs.* variables, or the first problem it met: a
// *MissingInputsError for names scope lacks, or why an input cannot be
// resolved at all (a from that names no artifact, a subPath the artifact
// lacks, a *KeyedInputError). Key-only artifacts are found with finder
// (artifact_keys.go); nil, they are missing.
func InputVars(t *wfv1.Template, args wfv1.Arguments, scope Vars, finder ArtifactFinder) (Vars, error) {
	return inputVars(t, args, scope, finder)
}

// CalledInputVars is InputVars for a template a step or task calls, with
// the template's own variables (local, see call.local): Argo leaves a tag
// the caller cannot resolve to the called template, whose {{steps.name}}
// or {{tasks.name}} is the step's or task's own name.
func CalledInputVars(t *wfv1.Template, args wfv1.Arguments, scope, local Vars, finder ArtifactFinder) (Vars, error) {
	vars, err := inputVars(t, args, scope, finder)
	if missing := (*MissingInputsError)(nil); errors.As(err, &missing) && len(local) > 0 {
		return inputVars(t, args, local.With(scope), finder)
	}
	return vars, err
}

func inputVars(t *wfv1.Template, args wfv1.Arguments, scope Vars, finder ArtifactFinder) (Vars, error) {
	vars := Vars{}
	missing, err := inputArtifactVars(t, args.Artifacts, scope, vars)
	if err != nil {
		return nil, inputsError(missing, err)
	}
	forwardableInputs(t, vars)
	resolved := make([]wfv1.Parameter, 0, len(t.Inputs.Parameters))
	for _, in := range t.Inputs.Parameters {
		var value *wfv1.AnyString
		if i := slices.IndexFunc(args.Parameters, func(a wfv1.Parameter) bool { return a.Name == in.Name }); i >= 0 {
			value = firstPtr(args.Parameters[i].Value, args.Parameters[i].Default)
		}
		value = firstPtr(value, firstPtr(in.Value, in.Default))
		if value == nil {
			missing = append(missing, "inputs.parameters."+in.Name)
			continue
		}
		s, m := scope.Resolve(value.String())
		missing = append(missing, m...)
		vars["inputs.parameters."+in.Name] = s
		resolved = append(resolved, wfv1.Parameter{Name: in.Name, Value: wfv1.ParseAnyString(s)})
	}
	vars["inputs.parameters"] = ParametersJSON(resolved)
	m, err := keyedInputVars(t, args.Artifacts, scope, vars, finder, vars)
	if missing = append(missing, m...); err != nil || len(missing) > 0 {
		return nil, inputsError(missing, err)
	}
	for _, out := range t.Outputs.Parameters {
		if out.ValueFrom != nil && out.ValueFrom.Path != "" {
			vars["outputs.parameters."+out.Name+".path"] = out.ValueFrom.Path
		}
	}
	for _, out := range t.Outputs.Artifacts {
		if out.Path != "" {
			vars["outputs.artifacts."+out.Name+".path"] = out.Path
		}
	}
	return vars, nil
}

// Instantiate returns a copy of t with every tag that vars resolve
// substituted, field by field, and the names left unresolved. The copy
// shares every value that holds no resolved tag with t: treat both as
// read-only, as all parsed templates are.
func Instantiate(t *wfv1.Template, vars Vars) (*wfv1.Template, []string) {
	return instantiate(t, podTags(t), vars)
}

// podTags is the tag tree of what Instantiate substitutes: all of t but
// its inputs and outputs, which the driver reads, not the pod, and its
// metrics, which are Argo's controller's, with variables of their own
// ({{status}}, {{duration}}), and ignored here.
func podTags(t *wfv1.Template) *tagTree {
	bare := *t
	bare.Outputs, bare.Inputs, bare.Metrics = wfv1.Outputs{}, wfv1.Inputs{}, nil
	return tagsOf(reflect.ValueOf(&bare).Elem())
}

func instantiate(t *wfv1.Template, tags *tagTree, vars Vars) (*wfv1.Template, []string) {
	artifacts, vars, artifactsMissing := inputArtifacts(t.Inputs.Artifacts, vars)
	inst, missing := substituteTags(t, tags, vars)
	if inst == t {
		c := *t
		inst = &c
	}
	inst.Inputs.Parameters = inputValues(t.Inputs.Parameters, vars)
	inst.Inputs.Artifacts = artifacts
	inst.Outputs.Artifacts, missing = outputArtifactPaths(t.Outputs.Artifacts, vars, missing)
	return inst, append(missing, artifactsMissing...)
}

// outputArtifactPaths are a template's output artifacts with their paths
// resolved: the executor is told where to find them; and their keys, which
// the Job records (AnnotationArtifactKeys).
func outputArtifactPaths(arts []wfv1.Artifact, vars Vars, missing []string) ([]wfv1.Artifact, []string) {
	if !slices.ContainsFunc(arts, func(a wfv1.Artifact) bool {
		return strings.Contains(a.Path, "{{") || a.S3 != nil && strings.Contains(a.S3.Key, "{{")
	}) {
		return arts, missing
	}
	out := slices.Clone(arts)
	for i := range out {
		var m []string
		out[i].Path, m = vars.Resolve(out[i].Path)
		missing = append(missing, m...)
		if out[i].S3 != nil {
			s3 := *out[i].S3
			s3.Key, m = vars.Resolve(s3.Key)
			missing = append(missing, m...)
			out[i].S3 = &s3
		}
	}
	return out, missing
}

// inputValues returns the input parameters with the values vars give them,
// as Argo's instantiated templates carry them: spec.podSpecPatch is
// resolved with them when the Job is made.
func inputValues(params []wfv1.Parameter, vars Vars) []wfv1.Parameter {
	if len(params) == 0 {
		return params
	}
	out := slices.Clone(params)
	for i := range out {
		if v, ok := vars["inputs.parameters."+out[i].Name]; ok {
			out[i].Value = wfv1.ParseAnyString(v)
		}
	}
	return out
}

// NodeType is the Argo node type a template runs as.
func NodeType(t *wfv1.Template) string {
	switch {
	case t.Container != nil || t.Script != nil || t.ContainerSet != nil:
		return NodePod
	case len(t.Steps) > 0:
		return NodeSteps
	case t.DAG != nil:
		return NodeDAG
	case t.Suspend != nil:
		return NodeSuspend
	case t.Resource != nil:
		return NodeResource
	case t.HTTP != nil:
		return NodeHTTP
	}
	return "Unknown"
}

// needs explains which run-time values a node waits for.
func needs(missing []string) string {
	slices.Sort(missing)
	missing = slices.Compact(missing)
	for i, m := range missing {
		missing[i] = "{{" + m + "}}"
	}
	return "needs " + strings.Join(missing, ", ") + " at run time"
}
