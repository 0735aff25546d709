package compile

import (
	"fmt"
	"slices"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintContainerNames checks the names of a template's init containers,
// sidecars and containerSet containers, which share one pod: each must be
// unique, and no init container or sidecar may be "main", the name the
// template's own container takes, as in Argo.
func (l *linter) lintContainerNames(path string, t *wfv1.Template) {
	seen := map[string]bool{}
	check := func(field string, names []string, mainAllowed bool) {
		for j, name := range names {
			cp := fmt.Sprintf("%s.%s[%d].name", path, field, j)
			switch {
			case name == mainContainerName && !mainAllowed:
				l.errorf(cp, "%s: %q is the name of the template's own container; choose another", cp, name)
			case seen[name]:
				l.errorf(cp, "%s: another container of template %q is named %q", cp, t.Name, name)
			}
			seen[name] = true
		}
	}
	if t.ContainerSet != nil {
		var names []string
		for _, c := range t.ContainerSet.Containers {
			names = append(names, c.Name)
		}
		check("containerSet.containers", names, true)
	}
	check("initContainers", userContainerNames(t.InitContainers), false)
	check("sidecars", userContainerNames(t.Sidecars), false)
}

func userContainerNames(list []wfv1.UserContainer) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Name)
	}
	return out
}

// lintContainerSet checks a containerSet's graph as Argo's validator does:
// at least one container, dependencies that exist and form no cycle; and,
// as Argo's docs require, a container named main when the template
// outputs a file or its result is used.
func (l *linter) lintContainerSet(path string, t *wfv1.Template) {
	cs := t.ContainerSet
	path += ".containerSet"
	if len(cs.Containers) == 0 {
		l.errorf(path+".containers", "%s.containers: a containerSet needs at least one container", path)
		return
	}
	names := map[string]bool{}
	for _, c := range cs.Containers {
		names[c.Name] = true
	}
	for i, c := range cs.Containers {
		for j, d := range c.Dependencies {
			if !names[d] {
				dp := fmt.Sprintf("%s.containers[%d].dependencies[%d]", path, i, j)
				l.errorf(dp, "%s: container %q depends on %q, which is not a container of this set", dp, c.Name, d)
			}
		}
	}
	if cycle := containerCycle(cs); cycle != "" {
		l.errorf(path+".containers", "%s.containers: the dependencies form a cycle through %q", path, cycle)
	}
	if !names[mainContainerName] && len(OutputFiles(t)) > 0 {
		l.errorf(path, "%s: template %q outputs a file parameter, which is read from a container named main, and has none", path, t.Name)
	}
}

// containerCycle returns a container on a dependency cycle, or "".
func containerCycle(cs *wfv1.ContainerSetTemplate) string {
	deps := map[string][]string{}
	for _, c := range cs.Containers {
		deps[c.Name] = c.Dependencies
	}
	state := map[string]int{} // 1: on the path, 2: done
	var visit func(string) string
	visit = func(n string) string {
		switch state[n] {
		case 1:
			return n
		case 2:
			return ""
		}
		state[n] = 1
		for _, d := range deps[n] {
			if c := visit(d); c != "" {
				return c
			}
		}
		state[n] = 2
		return ""
	}
	names := make([]string, 0, len(deps))
	for _, c := range cs.Containers {
		names = append(names, c.Name)
	}
	for _, n := range slices.Compact(names) {
		if c := visit(n); c != "" {
			return c
		}
	}
	return ""
}
