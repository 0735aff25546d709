package compile

import (
	"slices"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

var retryPolicies = []string{"Always", "OnFailure", "OnError", "OnTransientError"}

// lintRetry checks a template's retryStrategy as Argo's validator does,
// and refuses what kubectl-wf does not retry yet.
func (l *linter) lintRetry(path string, t *wfv1.Template) {
	path += ".retryStrategy"
	if !retried(t) {
		l.errorf(path, "not supported: %s: kubectl-wf retries container, script, http, steps and dag templates, not %s templates yet", path, strings.Join(templateKinds(t), ", "))
		return
	}
	l.lintRetryStrategy(path, t.RetryStrategy)
}

// retried reports whether kubectl-wf retries templates of t's kind.
func retried(t *wfv1.Template) bool {
	return t.Container != nil || t.Script != nil || t.HTTP != nil || len(t.Steps) > 0 || t.DAG != nil
}

// lintWorkflowRetry checks spec.retryStrategy, which Argo applies to every
// template without one of its own.
func (l *linter) lintWorkflowRetry() {
	rs := l.doc.Spec.RetryStrategy
	if rs == nil {
		return
	}
	l.lintRetryStrategy("spec.retryStrategy", rs)
	for _, t := range l.doc.Spec.Templates {
		if t.RetryStrategy == nil && t.Resource != nil {
			l.errorf("spec.retryStrategy", "not supported: spec.retryStrategy: kubectl-wf does not retry resource templates yet (template %q)", t.Name)
			return
		}
	}
}

func (l *linter) lintRetryStrategy(path string, rs *wfv1.RetryStrategy) {
	if rs.RetryPolicy != "" && !slices.Contains(retryPolicies, rs.RetryPolicy) {
		l.errorf(path+".retryPolicy", "retryPolicy %q is not one of %s", rs.RetryPolicy, strings.Join(retryPolicies, ", "))
	}
	if b := rs.Backoff; b != nil {
		if b.Duration == "" {
			l.errorf(path+".backoff", "retryStrategy.backoff needs a duration")
		}
		for field, value := range map[string]string{"duration": b.Duration, "maxDuration": b.MaxDuration, "cap": b.Cap} {
			if value != "" && !strings.Contains(value, "{{") && !validDuration(value) {
				l.errorf(path+".backoff."+field, "%s %q is not a duration (e.g. 10s, 2m, or a number of seconds)", field, value)
			}
		}
	}
}

func validDuration(s string) bool {
	_, err := ParseDuration(s)
	return err == nil
}
