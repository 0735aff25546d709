package watch

import (
	"fmt"
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// dagTask is a task's state during one evaluation.
type dagTask struct {
	task    *wfv1.DAGTask
	deps    []string
	depends *compile.Depends
	node    *Node   // the task's node (a TaskGroup for loops); nil until decided
	kids    []*Node // its loop children, or the node itself
}

// dag runs each task once everything it depends on has ended and its
// depends expression holds (Omitted otherwise). With failFast (Argo's
// default), no task starts once a target branch has failed.
func (e *evaluator) dag(n *Node, t *wfv1.Template, vars compile.Vars, depth int) {
	defer e.span(n)
	defer e.boundary(n)()
	defer e.pushLimit(t, depth)()
	defer e.failFast(n, t, e.mark())() // the template's own failFast
	tasks, order, err := buildTasks(t.DAG)
	if err != nil {
		e.fail(n, Error, "%v", err)
		return
	}
	failFast := t.DAG.FailFast == nil || *t.DAG.FailFast
	targets, run, err := compile.DAGTargets(t.DAG, vars)
	if err != nil {
		e.fail(n, Error, "%v", err)
		return
	}
	if run != nil {
		// Only the targets and what they depend on run (Argo's dag.target).
		order = slices.DeleteFunc(order, func(name string) bool { return !run[name] })
	} else {
		targets = leafTasks(order, tasks)
	}
	// The DAG's own scope, to which each task's outputs are added in place
	// as it ends: copying it for each of thousands of tasks made every
	// evaluation quadratic in the DAG's size.
	scope := vars.With(nil)
	// stopped reports whether failFast forbids new tasks. Assessing the DAG
	// is linear, so it is done only once some task has failed.
	failed := false
	stopped := func() bool {
		if !failFast || !failed {
			return false
		}
		phase := e.dagPhase(order, tasks, targets, false)
		return phase == Failed || phase == Error
	}
	for changed := true; changed; {
		changed = false
		for _, name := range order {
			dt := tasks[name]
			if dt.node != nil || !e.depsFulfilled(dt, tasks) {
				continue
			}
			e.addGlobals(scope)
			stop := stopped()
			if !stop {
				changed = true
			}
			if dt.depends != nil && !dt.depends.Eval(func(dep, result string) bool { return taskResult(tasks[dep], result) }) {
				if stop {
					continue
				}
				dt.node = e.fail(e.newNode(compile.TaskNodeName(n.Name, name), name, "Skipped", dt.task.Template), Omitted, "omitted: depends condition not met")
				dt.kids = []*Node{dt.node}
				n.Children = append(n.Children, dt.node.ID)
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
			failed = failed || dt.node.Phase == Failed || dt.node.Phase == Error
			if e.groupFulfilled(dt) {
				e.addOutputVars(scope, "tasks."+name, dt.kids, dt.node.Type == compile.NodeTaskGroup)
			}
		}
	}
	hooksDone := true
	for _, name := range order {
		dt := tasks[name]
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
	for _, name := range order {
		if c := tasks[name].node; n.Phase.Completed() && c != nil && !c.done() {
			n.Phase = Running
		}
	}
	if n.Phase == Failed || n.Phase == Error {
		for _, name := range order {
			if c := tasks[name].node; c != nil && (c.Phase == Failed || c.Phase == Error) && !continuesOn(tasks[name].task.ContinueOn, c.Phase) {
				n.Message = fmt.Sprintf("child '%s' failed", c.ID)
				break
			}
		}
	}
	if n.Phase == Succeeded {
		e.templateOutputs(n, t, scope)
	}
}

func buildTasks(dag *wfv1.DAGTemplate) (map[string]*dagTask, []string, error) {
	tasks := map[string]*dagTask{}
	var order []string
	for i := range dag.Tasks {
		task := &dag.Tasks[i]
		expr := task.Depends
		if expr == "" {
			expr = compile.DependenciesToDepends(task.Dependencies)
		}
		dt := &dagTask{task: task}
		if expr != "" {
			d, err := compile.ParseDepends(expr)
			if err != nil {
				return nil, nil, fmt.Errorf("task %q: %v", task.Name, err)
			}
			dt.depends, dt.deps = d, d.Tasks()
		}
		tasks[task.Name] = dt
		order = append(order, task.Name)
	}
	for _, name := range order {
		for _, d := range tasks[name].deps {
			if tasks[d] == nil {
				return nil, nil, fmt.Errorf("task %q depends on unknown task %q", name, d)
			}
		}
	}
	order, err := topoOrder(order, tasks)
	return tasks, order, err
}

// topoOrder orders tasks after their dependencies, keeping the written
// order among independent ones.
func topoOrder(written []string, tasks map[string]*dagTask) ([]string, error) {
	done := map[string]bool{}
	var out []string
	for len(out) < len(written) {
		progress := false
		for _, name := range written {
			if done[name] {
				continue
			}
			ready := true
			for _, d := range tasks[name].deps {
				ready = ready && done[d]
			}
			if ready {
				done[name], progress = true, true
				out = append(out, name)
			}
		}
		if !progress {
			return nil, fmt.Errorf("the DAG's dependencies form a cycle")
		}
	}
	return out, nil
}

func (e *evaluator) runTask(dagNode *Node, dt *dagTask, scope compile.Vars, depth int) {
	name := compile.TaskNodeName(dagNode.Name, dt.task.Name)
	c := call{name: name, display: dt.task.Name, template: dt.task.Template, when: dt.task.When,
		param: dt.task.WithParam, args: dt.task.Arguments.Parameters, items: dt.task.WithItems, seq: dt.task.WithSequence}
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

func (e *evaluator) groupFulfilled(dt *dagTask) bool {
	return dt.node != nil && dt.node.done()
}

func (e *evaluator) depsFulfilled(dt *dagTask, tasks map[string]*dagTask) bool {
	for _, d := range dt.deps {
		if !e.groupFulfilled(tasks[d]) {
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

// leafTasks are the tasks no other task depends on: the DAG's targets.
func leafTasks(order []string, tasks map[string]*dagTask) []string {
	used := map[string]bool{}
	for _, dt := range tasks {
		for _, d := range dt.deps {
			used[d] = true
		}
	}
	var out []string
	for _, name := range order {
		if !used[name] {
			out = append(out, name)
		}
	}
	return out
}

// dagPhase is Argo's assessment: each task's branch phase is its own once
// it completed, else (omitted, skipped) the worst of its parents'; the DAG
// has failed when a target's branch has, and succeeded when every target
// is reached without failure. waitAll keeps it Running until every target
// is reached (failFast off).
func (e *evaluator) dagPhase(order []string, tasks map[string]*dagTask, targets []string, waitAll bool) Phase {
	branch := map[string]Phase{}
	for _, name := range order { // in topological order
		dt := tasks[name]
		if dt.node == nil || !dt.node.done() {
			continue
		}
		p := dt.node.Phase
		if !p.Completed() {
			p = Succeeded
			for _, d := range dt.deps {
				if bp := branch[d]; bp == Failed || bp == Error {
					p = bp
					break
				}
			}
		}
		branch[name] = p
	}
	result := Succeeded
	for _, name := range targets {
		switch bp, ok := branch[name]; {
		case !ok:
			if result == Succeeded {
				result = Running
			}
		case (bp == Failed || bp == Error) && continuesOn(tasks[name].task.ContinueOn, bp):
		case bp == Failed || bp == Error:
			if !waitAll {
				return bp
			}
			result = bp
		}
	}
	if waitAll && result != Succeeded && result != Running {
		for _, name := range targets {
			if _, ok := branch[name]; !ok {
				return Running
			}
		}
	}
	return result
}

// continuesOn reports whether a step's or task's continueOn lets it end in
// phase without failing what runs it.
func continuesOn(c *wfv1.ContinueOn, phase Phase) bool {
	return c != nil && ((phase == Failed && c.Failed) || (phase == Error && c.Error))
}
