package compile

import (
	"fmt"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintContainerNames checks the names of a template's init containers and
// sidecars, which share one pod with its main container: each must be
// unique and none may be "main", the name the template's own container
// takes, as in Argo.
func (l *linter) lintContainerNames(path string, t *wfv1.Template) {
	seen := map[string]bool{}
	check := func(field string, list []wfv1.UserContainer) {
		for j, c := range list {
			cp := fmt.Sprintf("%s.%s[%d].name", path, field, j)
			switch {
			case c.Name == mainContainerName:
				l.errorf(cp, "%s: %q is the name of the template's own container; choose another", cp, c.Name)
			case seen[c.Name]:
				l.errorf(cp, "%s: another container of template %q is named %q", cp, t.Name, c.Name)
			}
			seen[c.Name] = true
		}
	}
	check("initContainers", t.InitContainers)
	check("sidecars", t.Sidecars)
}
