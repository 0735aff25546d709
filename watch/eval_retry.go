package watch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// maxAttempts bounds a retryStrategy without a limit, as a safety net.
const maxAttempts = 10000

// retry evaluates a pod template with a retryStrategy, as Argo's
// processNodeRetries decides: each attempt is a pod node of its own (so
// its own Job, never made twice), the next starts once the last failed
// as the policy allows, after its backoff, while the limit, maxDuration
// and expression allow.
//
// A steps or dag template retries the same way: each attempt is a Steps or
// DAG node NAME(i) with a tree of its own.
func (e *evaluator) retry(n *Node, t *wfv1.Template, rs *wfv1.RetryStrategy, vars compile.Vars, depth int) {
	typ := n.Type
	n.Type = compile.NodeRetry
	limit, err := retryLimit(rs.Limit, vars)
	if err != nil {
		e.fail(n, Error, "retryStrategy.limit: %v", err)
		return
	}
	var first, last *Node
	for i := 0; i < maxAttempts; i++ {
		attempt := e.newNode(compile.RetryNodeName(n.Name, i), compile.RetryNodeName(n.DisplayName, i), typ, t.Name)
		n.Children = append(n.Children, attempt.ID)
		e.runAttempt(attempt, t, vars.With(attemptVars(n.Name, i, last)), depth)
		last = attempt
		if first == nil {
			first = attempt
		}
		e.span(n)
		switch {
		case !attempt.Phase.Completed():
			n.Phase, n.Daemoned, n.PodIP = Running, attempt.Daemoned, attempt.PodIP
			if i == 0 && attempt.Phase == Pending {
				n.Phase = Pending
			}
			return
		case attempt.Phase == Succeeded:
			n.Phase, n.Message, n.Outputs = Succeeded, "", attempt.Outputs
			return
		case e.shuttingDown():
			e.end(n, attempt, e.stopped())
			return
		case e.timedOut && !e.exiting:
			e.end(n, attempt, "retry exceeded workflow deadline "+e.wfDeadline.UTC().Format("2006-01-02 15:04:05 -0700 MST"))
			return
		}
		if stop, wait := e.backoff(n, rs.Backoff, first, attempt, i, limit); stop || wait {
			return
		}
		retryOnFailed, retryOnError := retryPolicy(rs, attempt)
		if (attempt.Phase == Failed && !retryOnFailed) || (attempt.Phase == Error && !retryOnError) {
			e.end(n, attempt, attempt.Message)
			return
		}
		if limit != nil && i+1 > *limit {
			e.end(n, attempt, "No more retries left")
			return
		}
		if rs.Expression != "" {
			ok, err := retryExpression(rs.Expression, vars, attempt, i)
			if err != nil {
				e.fail(n, Error, "retryStrategy.expression: %v", err)
				return
			}
			if !ok {
				e.end(n, attempt, "retryStrategy.expression evaluated to false")
				return
			}
		}
	}
	e.fail(n, Error, "more than %d attempts", maxAttempts)
}

// runAttempt evaluates one attempt of a retried template.
func (e *evaluator) runAttempt(attempt *Node, t *wfv1.Template, vars compile.Vars, depth int) {
	switch attempt.Type {
	case compile.NodeSteps:
		e.steps(attempt, t, vars, depth)
	case compile.NodeDAG:
		e.dag(attempt, t, vars, depth)
	default:
		e.pod(attempt, t, vars)
	}
}

// retryStrategy is the template's own, else the workflow's
// spec.retryStrategy, which Argo applies to every template without one.
func (e *evaluator) retryStrategy(t *wfv1.Template) *wfv1.RetryStrategy {
	if t.RetryStrategy != nil {
		return t.RetryStrategy
	}
	return e.w.Spec.RetryStrategy
}

// end fails a retry node as its last attempt ended, with message.
func (e *evaluator) end(n, last *Node, message string) {
	n.Phase, n.Message = last.Phase, message
	e.span(n)
}

// backoff applies retryStrategy.backoff after attempt i failed: stop when
// maxDuration is spent, wait (the driver is woken at its end) while the
// backoff runs.
func (e *evaluator) backoff(n *Node, b *wfv1.Backoff, first, last *Node, i int, limit *int) (stop, waiting bool) {
	if b == nil {
		return false, false
	}
	var deadline time.Time
	if b.MaxDuration != "" && first.StartedAt != nil {
		d, err := compile.ParseDuration(b.MaxDuration)
		if err != nil {
			e.fail(n, Error, "retryStrategy.backoff.maxDuration: %v", err)
			return true, false
		}
		if deadline = first.StartedAt.Add(d); e.obs.Now.After(deadline) {
			e.end(n, last, "Max duration limit exceeded")
			return true, false
		}
	}
	base, err := compile.ParseDuration(b.Duration)
	if err != nil || b.Duration == "" {
		e.fail(n, Error, "retryStrategy.backoff.duration %q: no base duration", b.Duration)
		return true, false
	}
	wait := base
	if b.Factor != nil && b.Factor.IntValue() > 0 {
		factor := math.Pow(float64(b.Factor.IntValue()), float64(i))
		if factor > float64(math.MaxInt64)/float64(base) {
			wait = time.Duration(math.MaxInt64)
		} else {
			wait = base * time.Duration(factor)
		}
	}
	if b.Cap != "" {
		if c, err := compile.ParseDuration(b.Cap); err == nil && wait > c {
			wait = c
		}
	}
	if last.FinishedAt == nil {
		return false, false
	}
	until := last.FinishedAt.Add(wait)
	if !deadline.IsZero() && until.After(deadline) {
		e.end(n, last, "Backoff would exceed max duration limit")
		return true, false
	}
	if e.obs.Now.Before(until) && limit != nil && i+1 <= *limit {
		n.Phase, n.Message = Running, "Backoff for "+humanDuration(wait)
		e.wakeAt(until)
		return false, true
	}
	return false, false
}

// retryPolicy says which failures retryStrategy retries. Without a policy
// it is OnFailure, or Always when an expression decides.
func retryPolicy(rs *wfv1.RetryStrategy, last *Node) (onFailed, onError bool) {
	policy := rs.RetryPolicy
	if policy == "" {
		policy = "OnFailure"
		if rs.Expression != "" {
			policy = "Always"
		}
	}
	switch policy {
	case "Always":
		return true, true
	case "OnError":
		return false, true
	case "OnTransientError":
		t := transientMessage(last.Message)
		return t, t
	default: // OnFailure
		return true, false
	}
}

// transientMessage recognises the messages of errors that go away by
// themselves, as Argo's IsTransientErr does for the ones a node can show.
func transientMessage(msg string) bool {
	for _, s := range []string{"exceeded quota", "connection reset by peer", "connection refused", "i/o timeout",
		"TLS handshake timeout", "etcdserver: leader changed", "Too Many Requests", "the server is currently unable to handle the request"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func retryLimit(limit *intstr.IntOrString, vars compile.Vars) (*int, error) {
	if limit == nil {
		return nil, nil
	}
	if limit.Type == intstr.Int {
		n := limit.IntValue()
		return &n, nil
	}
	s, missing := vars.Resolve(limit.StrVal)
	if len(missing) > 0 {
		return nil, fmt.Errorf("failed to resolve {{%s}}", missing[0])
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not an integer", s)
	}
	return &n, nil
}

// attemptVars are attempt i's own variables, as Argo gives them to the
// attempt's template (compile.AttemptVars), with lastRetry.* of the
// attempt before it, last, once there is one.
func attemptVars(retryNode string, i int, last *Node) compile.Vars {
	v := compile.AttemptVars(retryNode, i)
	if last != nil {
		if last.Outputs != nil && last.Outputs.ExitCode != nil {
			v["lastRetry.exitCode"] = *last.Outputs.ExitCode
		}
		if last.StartedAt != nil && last.FinishedAt != nil {
			v["lastRetry.duration"] = fmt.Sprint(last.FinishedAt.Sub(*last.StartedAt).Seconds())
		}
		v["lastRetry.status"], v["lastRetry.message"] = string(last.Phase), last.Message
	}
	return v
}

// retryExpression evaluates retryStrategy.expression with Argo's local
// scope: retries and lastRetry.{exitCode,status,duration,message}.
func retryExpression(expr string, vars compile.Vars, last *Node, i int) (bool, error) {
	exitCode := "-1"
	if last.Outputs != nil && last.Outputs.ExitCode != nil {
		exitCode = *last.Outputs.ExitCode
	}
	duration := 0.0
	if last.StartedAt != nil && last.FinishedAt != nil {
		duration = last.FinishedAt.Sub(*last.StartedAt).Seconds()
	}
	scope := vars.With(compile.Vars{"retries": strconv.Itoa(i), "lastRetry.exitCode": exitCode,
		"lastRetry.status": string(last.Phase), "lastRetry.duration": fmt.Sprint(duration), "lastRetry.message": last.Message})
	return exprBool(expr, scope)
}

// humanDuration writes a wait as Argo's messages do ("2 seconds").
func humanDuration(d time.Duration) string {
	switch s := int(d.Round(time.Second).Seconds()); {
	case s < 60:
		return plural(s, "second")
	case s < 3600:
		return plural(s/60, "minute")
	default:
		return plural(s/3600, "hour")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
