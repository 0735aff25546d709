package compile

import (
	"fmt"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintSynchronization checks a synchronization block (the workflow's or
// a template's): each mutex needs a name and each semaphore the
// ConfigMap key holding its limit, or there is nothing to lock.
func (l *linter) lintSynchronization(path string, s *wfv1.Synchronization) {
	if s == nil {
		return
	}
	mutex := func(p string, m wfv1.Mutex) {
		if m.Name == "" && !m.Database {
			l.errorf(p, "%s: a mutex needs a name", p)
		}
	}
	semaphore := func(p string, ref wfv1.SemaphoreRef) {
		switch c := ref.ConfigMapKeyRef; {
		case c == nil && ref.Database == nil:
			l.errorf(p, "%s: a semaphore needs configMapKeyRef, the ConfigMap key holding its limit", p)
		case c != nil && (c.Name == "" || c.Key == ""):
			l.errorf(p+".configMapKeyRef", "%s.configMapKeyRef: both name and key are required", p)
		}
	}
	for i, m := range s.Mutexes {
		mutex(fmt.Sprintf("%s.mutexes[%d]", path, i), m)
	}
	if s.Mutex != nil {
		mutex(path+".mutex", *s.Mutex)
	}
	for i, ref := range s.Semaphores {
		semaphore(fmt.Sprintf("%s.semaphores[%d]", path, i), ref)
	}
	if s.Semaphore != nil {
		semaphore(path+".semaphore", *s.Semaphore)
	}
}
