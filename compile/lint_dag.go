package compile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintDAG checks a dag template: unique task names, known dependencies,
// parseable depends, no cycles, and references only to ancestors.
func (l *linter) lintDAG(i int) {
	t := &l.doc.Spec.Templates[i]
	path := fmt.Sprintf("spec.templates[%d].dag", i)
	if len(t.DAG.Tasks) == 0 {
		l.errorf(path, "dag template %q has no tasks", t.Name)
		return
	}
	l.lintDependencyForms(path, t.DAG.Tasks)
	n := len(t.DAG.Tasks)
	tasks := make(map[string]int, n)
	all := make(map[string]bool, n)
	paths := make([]string, n) // each task's, made once: a DAG may have thousands
	for k := range t.DAG.Tasks {
		all[t.DAG.Tasks[k].Name] = true
		paths[k] = path + ".tasks[" + strconv.Itoa(k) + "]"
	}
	for k := range t.DAG.Tasks {
		task := &t.DAG.Tasks[k]
		tp := paths[k]
		switch _, dup := tasks[task.Name]; {
		case task.Name == "":
			l.errorf(tp, "task has no name")
		case dup:
			l.errorf(tp+".name", "task name %q is used twice in template %q", task.Name, t.Name)
		case !templateNamePattern.MatchString(task.Name):
			l.errorf(tp+".name", "task name %q must be letters, digits and '-', starting with a letter or digit", task.Name)
			tasks[task.Name] = k
		default:
			tasks[task.Name] = k
		}
	}
	deps := make([][]string, n) // task index → dependency names
	for k := range t.DAG.Tasks {
		deps[k] = l.taskDependencies(paths[k], &t.DAG.Tasks[k], tasks)
	}
	l.lintCycles(path, t.DAG.Tasks, deps, tasks)

	outputs := make(map[string]*wfv1.Template, n)
	for k := range t.DAG.Tasks {
		task := &t.DAG.Tasks[k]
		tp := paths[k]
		l.lintCall(tp, task.Template, task.TemplateRef, task.Inline, &task.Arguments, loopCount(task.WithItems, task.WithParam, task.WithSequence))
		l.lintExitHook(tp, task.Hooks, task.OnExit)
		sc := &scope{l: l, template: t, kind: "tasks", visible: l.ancestorLookup(t, k, deps, tasks), all: all, current: task.Name,
			loop: loopCount(task.WithItems, task.WithParam, task.WithSequence) > 0}
		plain := *task
		plain.Hooks = nil
		l.lintTags(tp, &plain, sc)
		l.lintHookTags(tp, task.Hooks, task.Name, task.Template, sc)
		outputs[task.Name] = l.templateOf(task.Template)
	}
	l.lintTags(fmt.Sprintf("spec.templates[%d].outputs", i), &t.Outputs, &scope{l: l, template: t, kind: "tasks", visible: lookupIn(outputs), all: all})
}

// lintDependencyForms reports a DAG that mixes `dependencies` and
// `depends` across its tasks, which Argo rejects.
func (l *linter) lintDependencyForms(path string, tasks []wfv1.DAGTask) {
	list, expr := -1, -1
	for k, task := range tasks {
		if len(task.Dependencies) > 0 && list < 0 {
			list = k
		}
		if task.Depends != "" && expr < 0 {
			expr = k
		}
	}
	if list >= 0 && expr >= 0 && list != expr {
		l.errorf(fmt.Sprintf("%s.tasks[%d].dependencies", path, list), "task %q sets dependencies, but task %q of the same DAG sets depends; use one of them in every task", tasks[list].Name, tasks[expr].Name)
	}
}

// taskDependencies returns the tasks task depends on, reporting unknown
// ones and depends expressions that do not parse.
func (l *linter) taskDependencies(tp string, task *wfv1.DAGTask, tasks map[string]int) []string {
	var names []string
	switch {
	case task.Depends != "" && len(task.Dependencies) > 0:
		l.errorf(tp, "task %q sets both dependencies and depends; use one", task.Name)
		return nil
	case task.Depends != "":
		d, err := ParseDepends(task.Depends)
		if err != nil {
			l.errorf(tp+".depends", "%v", err)
			return nil
		}
		for _, name := range d.Tasks() {
			if _, ok := tasks[name]; ok {
				names = append(names, name)
			} else {
				l.errorf(tp+".depends", "task %q depends on %q, which is not a task of this DAG", task.Name, name)
			}
		}
	default:
		for j, name := range task.Dependencies {
			if _, ok := tasks[name]; ok {
				names = append(names, name)
			} else {
				l.errorf(fmt.Sprintf("%s.dependencies[%d]", tp, j), "task %q depends on %q, which is not a task of this DAG", task.Name, name)
			}
		}
	}
	return names
}

// lintCycles reports each dependency cycle once, naming its tasks in order.
func (l *linter) lintCycles(path string, list []wfv1.DAGTask, deps [][]string, tasks map[string]int) {
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, len(list))
	var stack []int
	var visit func(k int)
	visit = func(k int) {
		state[k] = onStack
		stack = append(stack, k)
		for _, d := range deps[k] {
			j := tasks[d]
			switch state[j] {
			case unvisited:
				visit(j)
			case onStack:
				start := len(stack) - 1
				for stack[start] != j {
					start--
				}
				var names []string
				for _, s := range stack[start:] {
					names = append(names, list[s].Name)
				}
				names = append(names, list[j].Name)
				// A task lists what it depends on, so the cycle reads backwards.
				for a, b := 0, len(names)-1; a < b; a, b = a+1, b-1 {
					names[a], names[b] = names[b], names[a]
				}
				l.errorf(fmt.Sprintf("%s.tasks[%d]", path, j), "dependency cycle: %s", strings.Join(names, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		state[k] = done
	}
	for k := range list {
		if state[k] == unvisited {
			visit(k)
		}
	}
}

// ancestorLookup finds referenced tasks among k's ancestors. The ancestor
// set is built only when a reference is not a direct dependency, so a big
// DAG whose tasks refer to their parents stays linear.
func (l *linter) ancestorLookup(t *wfv1.Template, k int, deps [][]string, tasks map[string]int) func(string) (*wfv1.Template, bool) {
	var all map[string]bool
	return func(name string) (*wfv1.Template, bool) {
		j, known := tasks[name]
		if !known {
			return nil, false
		}
		if !slices.Contains(deps[k], name) {
			if all == nil {
				all = map[string]bool{}
				for _, a := range ancestors(k, deps, tasks) {
					all[a] = true
				}
			}
			if !all[name] {
				return nil, false
			}
		}
		return l.templateOf(t.DAG.Tasks[j].Template), true
	}
}

// ancestors returns every task that k transitively depends on.
func ancestors(k int, deps [][]string, tasks map[string]int) []string {
	seen := map[int]bool{}
	var out []string
	stack := []int{k}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range deps[cur] {
			j := tasks[d]
			if !seen[j] {
				seen[j] = true
				out = append(out, d)
				stack = append(stack, j)
			}
		}
	}
	return out
}
