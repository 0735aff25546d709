package compile

import (
	"fmt"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// DAGTargets resolves a DAG's target (space-separated task names, tags
// resolved with vars) to the tasks that run: the targets and everything
// they depend on, as Argo restricts a DAG. It returns nil, meaning every
// task, when there is no target.
func DAGTargets(dag *wfv1.DAGTemplate, vars Vars) (targets []string, run map[string]bool, err error) {
	if strings.TrimSpace(dag.Target) == "" {
		return nil, nil, nil
	}
	target, missing := vars.Resolve(dag.Target)
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("failed to resolve {{%s}}", missing[0])
	}
	byName := map[string]*wfv1.DAGTask{}
	for i := range dag.Tasks {
		byName[dag.Tasks[i].Name] = &dag.Tasks[i]
	}
	run = map[string]bool{}
	var visit func(name string) error
	visit = func(name string) error {
		task, ok := byName[name]
		if !ok {
			return fmt.Errorf("target %q is not a task of the DAG", name)
		}
		if run[name] {
			return nil
		}
		run[name] = true
		deps := task.Dependencies
		if task.Depends != "" {
			d, err := ParseDepends(task.Depends)
			if err != nil {
				return err
			}
			deps = d.Tasks()
		}
		for _, dep := range deps {
			if err := visit(dep); err != nil {
				return err
			}
		}
		return nil
	}
	targets = strings.Fields(target)
	for _, name := range targets {
		if err := visit(name); err != nil {
			return nil, nil, err
		}
	}
	return targets, run, nil
}
