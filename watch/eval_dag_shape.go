package watch

import (
	"fmt"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// dagShape is what a DAG template's tasks are whatever their state: each
// task's depends expression, parsed, and its dependencies, with the tasks
// in an order that puts each after its dependencies. It follows from the
// template alone, so an Evaluator works it out once instead of on every
// reconcile (see dagShapes).
type dagShape struct {
	tasks  []dagTaskShape // in topological order
	index  map[string]int // each task's place in tasks, by name
	all    []int          // 0 … len(tasks)-1: every task, in order
	leaves []int          // the tasks no other task depends on, in order
	err    error          // why the DAG cannot run: a bad depends, a cycle
	// scopeSize is how many variables the DAG's scope held at the end of
	// its last evaluation: the next one's is made that large at once,
	// instead of growing by copies to tens of thousands.
	scopeSize int
}

type dagTaskShape struct {
	task    *wfv1.DAGTask
	deps    []int // places in dagShape.tasks, each before this task's
	depends *compile.Depends
}

// dagShapes are the shapes of DAG templates, by template: one evaluation's,
// or an Evaluator's, which keeps its workflow's templates.
type dagShapes map[*wfv1.DAGTemplate]*dagShape

func (s dagShapes) of(dag *wfv1.DAGTemplate) *dagShape {
	shape, ok := s[dag]
	if !ok {
		shape = newDAGShape(dag)
		s[dag] = shape
	}
	return shape
}

func newDAGShape(dag *wfv1.DAGTemplate) *dagShape {
	written := make([]dagTaskShape, len(dag.Tasks))
	deps := make([][]string, len(dag.Tasks))
	byName := make(map[string]int, len(dag.Tasks))
	for i := range dag.Tasks {
		task := &dag.Tasks[i]
		written[i].task = task
		byName[task.Name] = i
		expr := task.Depends
		if expr == "" {
			expr = compile.DependenciesToDepends(task.Dependencies)
		}
		if expr == "" {
			continue
		}
		d, err := compile.ParseDepends(expr)
		if err != nil {
			return &dagShape{err: fmt.Errorf("task %q: %v", task.Name, err)}
		}
		written[i].depends, deps[i] = d, d.Tasks()
	}
	for i, names := range deps {
		for _, d := range names {
			if _, ok := byName[d]; !ok {
				return &dagShape{err: fmt.Errorf("task %q depends on unknown task %q", dag.Tasks[i].Name, d)}
			}
		}
	}
	order, err := topoOrder(deps, byName)
	if err != nil {
		return &dagShape{err: err}
	}
	shape := &dagShape{tasks: make([]dagTaskShape, len(order)), index: make(map[string]int, len(order)), all: make([]int, len(order))}
	for place, i := range order {
		shape.tasks[place] = written[i]
		shape.index[dag.Tasks[i].Name] = place
		shape.all[place] = place
	}
	used := make([]bool, len(order))
	for place, i := range order {
		for _, d := range deps[i] {
			dep := shape.index[d]
			shape.tasks[place].deps = append(shape.tasks[place].deps, dep)
			used[dep] = true
		}
	}
	for place := range shape.tasks {
		if !used[place] {
			shape.leaves = append(shape.leaves, place)
		}
	}
	return shape
}

// topoOrder orders tasks (by their written place) after their
// dependencies, keeping the written order among independent ones.
func topoOrder(deps [][]string, byName map[string]int) ([]int, error) {
	done := make([]bool, len(deps))
	out := make([]int, 0, len(deps))
	for len(out) < len(deps) {
		progress := false
		for i := range deps {
			if done[i] {
				continue
			}
			ready := true
			for _, d := range deps[i] {
				ready = ready && done[byName[d]]
			}
			if ready {
				done[i], progress = true, true
				out = append(out, i)
			}
		}
		if !progress {
			return nil, fmt.Errorf("the DAG's dependencies form a cycle")
		}
	}
	return out, nil
}
