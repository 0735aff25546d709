package watch

import (
	"fmt"
	"maps"
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// dagTask is a task's state during one evaluation.
type dagTask struct {
	*dagTaskShape
	node *Node   // the task's node (a TaskGroup for loops); nil until decided
	kids []*Node // its loop children, or the node itself
}

// dag runs each task once everything it depends on has ended and its
// depends expression holds (Omitted otherwise). With failFast (Argo's
// default), no task starts once a target branch has failed.
func (e *evaluator) dag(n *Node, t *wfv1.Template, vars compile.Vars, depth int) {
	defer e.span(n)
	defer e.boundary(n)()
	defer e.pushLimit(t, depth)()
	defer e.failFast(n, t, e.mark())() // the template's own failFast
	shape := e.dags.of(t.DAG)
	if shape.err != nil {
		e.fail(n, Error, "%v", shape.err)
		return
	}
	tasks := make([]dagTask, len(shape.tasks))
	for i := range tasks {
		tasks[i].dagTaskShape = &shape.tasks[i]
	}
	failFast := t.DAG.FailFast == nil || *t.DAG.FailFast
	targetNames, run, err := compile.DAGTargets(t.DAG, vars)
	if err != nil {
		e.fail(n, Error, "%v", err)
		return
	}
	order, targets := shape.all, shape.leaves
	if run != nil {
		// Only the targets and what they depend on run (Argo's dag.target).
		order = slices.DeleteFunc(slices.Clone(order), func(i int) bool { return !run[shape.tasks[i].task.Name] })
		targets = make([]int, len(targetNames))
		for k, name := range targetNames {
			targets[k] = shape.index[name]
		}
	}
	// The DAG's own scope, to which each task's outputs are added in place
	// as it ends: copying it for each of thousands of tasks made every
	// evaluation quadratic in the DAG's size.
	scope := make(compile.Vars, max(len(vars), shape.scopeSize))
	maps.Copy(scope, vars)
	defer func() { shape.scopeSize = len(scope) }()
	result := func(dep, result string) bool { return taskResult(&tasks[shape.index[dep]], result) }
	// failFast forbids new tasks once a target's branch has failed, as
	// dagPhase would find; the branches are followed as tasks are decided,
	// since assessing the whole DAG before each task made a failed DAG's
	// evaluation quadratic in its size.
	branch := make([]Phase, len(tasks))
	target := make([]bool, len(tasks))
	for _, i := range targets {
		target[i] = true
	}
	stopped := false
	decided := func(i int) {
		if dt := &tasks[i]; dt.fulfilled() {
			branch[i] = branchPhase(dt, branch)
			stopped = stopped || target[i] && failedBranch(dt, branch[i])
		}
	}
	for changed := true; changed; {
		changed = false
		for _, i := range order {
			dt := &tasks[i]
			if dt.node != nil || !depsFulfilled(dt, tasks) {
				continue
			}
			name := dt.task.Name
			e.addGlobals(scope)
			stop := failFast && stopped
			if !stop {
				changed = true
			}
			if dt.depends != nil && !dt.depends.Eval(result) {
				if stop {
					continue
				}
				dt.node = e.fail(e.newNode(compile.TaskNodeName(n.Name, name), name, "Skipped", dt.task.Template), Omitted, "omitted: depends condition not met")
				dt.kids = []*Node{dt.node}
				n.Children = append(n.Children, dt.node.ID)
				decided(i)
				e.addOutputVars(scope, "tasks."+name, dt.kids, false)
				continue
			}
			// Once failFast stops the DAG, only a task that already started
			// (its Jobs exist) is followed; a new one is undone.
			m := e.mark()
			children := len(n.Children)
			e.runTask(n, dt, scope, depth)
			if stop && !e.startedSince(m) {
				e.undo(m)
				n.Children, dt.node, dt.kids = n.Children[:children], nil, nil
				continue
			}
			changed = true
			decided(i)
			if dt.fulfilled() {
				e.addOutputVars(scope, "tasks."+name, dt.kids, dt.node.Type == compile.NodeTaskGroup)
			}
		}
	}
	hooksDone := true
	for _, i := range order {
		dt := &tasks[i]
		if dt.node != nil && !e.runEventHooks(dt.kids, dt.task.Hooks, "tasks", scope, depth) {
			hooksDone = false
		}
		if dt.node != nil && !e.runExitHooks(dt.kids, exitHook(dt.task.Hooks, dt.task.OnExit), "tasks", scope, depth) {
			hooksDone = false
		}
	}
	n.Phase = e.dagPhase(order, tasks, targets, !failFast)
	if n.Phase.Completed() && !hooksDone {
		n.Phase = Running // a DAG waits for its tasks' exit hooks
	}
	// A failed DAG still waits for the tasks it had started.
	for _, i := range order {
		if c := tasks[i].node; n.Phase.Completed() && c != nil && !c.done() {
			n.Phase = Running
		}
	}
	if n.Phase == Failed || n.Phase == Error {
		for _, i := range order {
			if c := tasks[i].node; c != nil && (c.Phase == Failed || c.Phase == Error) && !continuesOn(tasks[i].task.ContinueOn, c.Phase) {
				n.Message = fmt.Sprintf("child '%s' failed", c.ID)
				break
			}
		}
	}
	if n.Phase == Succeeded {
		e.templateOutputs(n, t, scope)
	}
}

func (e *evaluator) runTask(dagNode *Node, dt *dagTask, scope compile.Vars, depth int) {
	name := compile.TaskNodeName(dagNode.Name, dt.task.Name)
	c := call{name: name, display: dt.task.Name, template: dt.task.Template, when: dt.task.When, local: compile.Vars{"tasks.name": dt.task.Name},
		param: dt.task.WithParam, args: dt.task.Arguments, items: dt.task.WithItems, seq: dt.task.WithSequence}
	if !c.loops() {
		dt.node = e.expand(c, scope, depth)[0]
		dt.kids = []*Node{dt.node}
		dagNode.Children = append(dagNode.Children, dt.node.ID)
		return
	}
	kids := e.expand(c, scope, depth)
	if len(kids) == 1 && kids[0].Name == name {
		// The loop could not be expanded, or had no items: the one node
		// says so, and stands for the task, with no TaskGroup (as Argo).
		dt.node, dt.kids = kids[0], kids
		dagNode.Children = append(dagNode.Children, dt.node.ID)
		return
	}
	group := e.newNode(name, dt.task.Name, compile.NodeTaskGroup, dt.task.Template)
	dagNode.Children = append(dagNode.Children, group.ID)
	dt.kids = kids
	for _, k := range dt.kids {
		group.Children = append(group.Children, k.ID)
	}
	mayFail := map[string]bool{}
	for _, k := range dt.kids {
		if continuesOn(dt.task.ContinueOn, k.Phase) {
			mayFail[k.ID] = true
		}
	}
	e.groupPhase(group, e.allFulfilled(group.Children), mayFail)
	group.Message = "" // Argo marks a TaskGroup's phase only, unlike a StepGroup
	e.span(group)
	dt.node = group
}

func (dt *dagTask) fulfilled() bool {
	return dt.node != nil && dt.node.done()
}

func depsFulfilled(dt *dagTask, tasks []dagTask) bool {
	for _, d := range dt.deps {
		if !tasks[d].fulfilled() {
			return false
		}
	}
	return true
}

// taskResult answers a depends test on a finished task.
func taskResult(dt *dagTask, result string) bool {
	n := dt.node
	switch result {
	case "": // the task ended well, or failed in a way its continueOn allows
		return n.Phase == Succeeded || n.Phase == Skipped || n.Daemoned || continuesOn(dt.task.ContinueOn, n.Phase)
	case "Succeeded":
		return n.Phase == Succeeded
	case "Failed":
		return n.Phase == Failed
	case "Errored":
		return n.Phase == Error
	case "Skipped":
		return n.Phase == Skipped
	case "Omitted":
		return n.Phase == Omitted
	case "Daemoned":
		return n.Daemoned
	case "AnySucceeded":
		for _, k := range dt.kids {
			if k.Phase == Succeeded {
				return true
			}
		}
		return false
	case "AllFailed":
		for _, k := range dt.kids {
			if k.Phase != Failed {
				return false
			}
		}
		return len(dt.kids) > 0 && n.Type == compile.NodeTaskGroup
	}
	return false
}

// dagPhase is Argo's assessment: each task's branch phase is its own once
// it completed, else (omitted, skipped) the worst of its parents'; the DAG
// has failed when a target's branch has, and succeeded when every target
// is reached without failure. waitAll keeps it Running until every target
// is reached (failFast off). order and targets are places in tasks.
func (e *evaluator) dagPhase(order []int, tasks []dagTask, targets []int, waitAll bool) Phase {
	// Each task's branch phase, "" while the task is not reached; order
	// is topological, so a task's dependencies come first.
	branch := make([]Phase, len(tasks))
	for _, i := range order {
		if dt := &tasks[i]; dt.fulfilled() {
			branch[i] = branchPhase(dt, branch)
		}
	}
	result := Succeeded
	for _, i := range targets {
		switch bp := branch[i]; {
		case bp == "":
			if result == Succeeded {
				result = Running
			}
		case failedBranch(&tasks[i], bp):
			if !waitAll {
				return bp
			}
			result = bp
		}
	}
	if waitAll && result != Succeeded && result != Running {
		for _, i := range targets {
			if branch[i] == "" {
				return Running
			}
		}
	}
	return result
}

// branchPhase is the branch phase of a fulfilled task, given its
// dependencies' (see dagPhase).
func branchPhase(dt *dagTask, branch []Phase) Phase {
	if p := dt.node.Phase; p.Completed() {
		return p
	}
	for _, d := range dt.deps {
		if bp := branch[d]; bp == Failed || bp == Error {
			return bp
		}
	}
	return Succeeded
}

// failedBranch reports whether a target's branch phase fails its DAG:
// it failed, and the target's continueOn does not allow it.
func failedBranch(dt *dagTask, phase Phase) bool {
	return (phase == Failed || phase == Error) && !continuesOn(dt.task.ContinueOn, phase)
}

// continuesOn reports whether a step's or task's continueOn lets it end in
// phase without failing what runs it.
func continuesOn(c *wfv1.ContinueOn, phase Phase) bool {
	return c != nil && ((phase == Failed && c.Failed) || (phase == Error && c.Error))
}
