package watch

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// maxDepth bounds template nesting, as Argo bounds recursion.
const maxDepth = 100

// Evaluate works out a workflow's status, and what to do next, from what
// exists in the cluster. It is pure and deterministic: a driver that died
// and a new one evaluating the same objects reach the same decisions, so
// nothing is run twice and nothing is lost.
func Evaluate(w *compile.Workflow, obs Observed) (*Status, *Actions) {
	return evaluate(w, obs, nil, dagShapes{})
}

// evaluate is Evaluate, with what earlier evaluations found of pod nodes
// when builds is not nil, and the shapes of DAG templates worked out so far
// (see Evaluator).
func evaluate(w *compile.Workflow, obs Observed, builds *podBuilds, dags dagShapes) (*Status, *Actions) {
	e := &evaluator{w: w, obs: obs, globals: w.GlobalVars().With(w.RunningVars(obs.StartedAt, obs.Now)), builds: builds, dags: dags,
		status: &Status{Nodes: map[string]*Node{}}, actions: &Actions{}, keys: &observedKeys{jobs: obs.Jobs}}
	defer e.admit() // parallelism: see eval_parallelism.go
	if obs.WorkflowError != "" {
		// Argo's controller errs such a workflow before its first node.
		e.status.Phase, e.status.Message, e.status.Progress = Error, obs.WorkflowError, e.progress()
		return e.status, e.actions
	}
	if ads := w.Spec.ActiveDeadlineSeconds; ads != nil && obs.StartedAt != nil {
		e.wfDeadline = obs.StartedAt.Add(time.Duration(*ads) * time.Second)
		if e.timedOut = !obs.Now.Before(e.wfDeadline); !e.timedOut {
			e.wakeAt(e.wfDeadline)
		}
	}
	entry, ok := w.Template(w.Spec.Entrypoint)
	if !ok {
		e.status.Phase, e.status.Message = Error, fmt.Sprintf("entrypoint template %q is not defined", w.Spec.Entrypoint)
		return e.status, e.actions
	}
	root := e.node(w.Name, w.Name, entry, w.Spec.Arguments, e.globals, compile.TopLocal(), 0)
	e.status.Root = root.ID
	if !e.workflowHooks(root) {
		// The workflow, and its exit handler, wait for its hooks.
		e.status.Phase = Running
		e.status.Progress = e.progress()
		return e.status, e.actions
	}
	if exit := e.exitHandler(root); exit != nil {
		e.status.OnExit = exit.ID
		switch {
		case !exit.Phase.Fulfilled():
			e.status.Phase = Running
			e.status.Progress = e.progress()
			return e.status, e.actions
		case root.Phase == Succeeded && (exit.Phase == Failed || exit.Phase == Error):
			// The main part succeeded but its exit handler did not.
			e.status.Phase, e.status.Message = exit.Phase, exit.Message
			e.status.Progress = e.progress()
			return e.status, e.actions
		}
	}
	switch {
	case root.Phase.Fulfilled() && e.obs.Shutdown != "" && (root.Phase == Failed || root.Phase == Error):
		e.status.Phase, e.status.Message = root.Phase, e.stopped()
	case root.Phase.Fulfilled():
		e.status.Phase, e.status.Message = root.Phase, root.Message
	case root.Phase == Pending && (root.Type == compile.NodePod || root.Type == compile.NodeResource || isHTTP(root)):
		e.status.Phase = Pending
	default:
		e.status.Phase = Running
	}
	e.status.Progress = e.progress()
	e.status.Suspended = e.obs.Suspended && !e.status.Phase.Fulfilled()
	return e.status, e.actions
}

// Argo's messages for what a deadline ends: a node not started (or a
// suspend) when spec.activeDeadlineSeconds passes, and a running pod,
// which the kubelet reports so when its activeDeadlineSeconds passes.
const (
	stepDeadline = "Step exceeded its deadline"
	podDeadline  = "Pod was active on the node longer than the specified deadline"
)

// stopped is Argo's message for nodes a shutdown ended.
func (e *evaluator) stopped() string {
	return fmt.Sprintf("Stopped with strategy '%s'", e.obs.Shutdown)
}

// shuttingDown reports whether a shutdown stops what is evaluated now:
// Stop lets exit handlers run, Terminate does not.
func (e *evaluator) shuttingDown() bool {
	return e.obs.Shutdown == Terminate || (e.obs.Shutdown != "" && !e.exiting)
}

// halt is why nothing may start or wait any longer now (a shutdown, or
// the workflow's deadline), or "".
func (e *evaluator) halt() string {
	switch {
	case e.shuttingDown():
		return e.stopped()
	case e.timedOut && !e.exiting:
		return stepDeadline
	}
	return ""
}

// holdBack decides for a node not started yet: under a shutdown it fails,
// under a suspend it waits; it returns false when the node may start.
func (e *evaluator) holdBack(n *Node) bool {
	switch msg := e.halt(); {
	case msg != "":
		e.fail(n, Failed, "%s", msg)
	case e.obs.Suspended:
		n.Phase = Pending
	default:
		return false
	}
	return true
}

type evaluator struct {
	w       *compile.Workflow
	obs     Observed
	builds  *podBuilds // nil for a fresh evaluation
	dags    dagShapes
	globals compile.Vars
	status  *Status
	actions *Actions
	// created lists node IDs in creation order, and touched counts the
	// nodes found already started in the cluster, so that a tentative
	// evaluation can be undone (see mark and undo).
	created []string
	touched int
	// exiting is set while the exit handler is evaluated.
	exiting bool
	// limits are the parallelism bounds enclosing the node evaluated now;
	// activePods counts pods that exist and run; pending is what each Job
	// to create counts toward.
	limits     []*limit
	activePods int
	pending    map[string]limitedCreate
	// daemons are the daemoned pods started in each open steps or dag
	// node, innermost last: they are stopped when it ends.
	daemons [][]daemon
	// timedOut: spec.activeDeadlineSeconds, due at wfDeadline, has passed.
	timedOut   bool
	wfDeadline time.Time
	// timeTexts are the seconds timeText formatted, by Unix time.
	timeTexts map[int64]string
	// keys finds key-only input artifacts (artifact_keys.go).
	keys *observedKeys
}

func (e *evaluator) newNode(name, display, typ, template string) *Node {
	n := &Node{ID: compile.NodeID(e.w.Name, name), Name: name, DisplayName: display, Type: typ, Template: template}
	e.status.Nodes[n.ID] = n
	e.created = append(e.created, n.ID)
	return n
}

// mark is a point an evaluation can be undone to.
type mark struct {
	created, creates, suspends, resources, acquires, releases, lookups, saves, inputErrors, touched int
}

func (e *evaluator) mark() mark {
	a := e.actions
	return mark{len(e.created), len(a.Create), len(a.StartSuspends), len(a.Resources), len(a.AcquireLocks), len(a.ReleaseLocks),
		len(a.DecideMemos), len(a.SaveMemos), len(a.RecordInputErrors), e.touched}
}

// startedSince reports whether anything evaluated since m already exists
// in the cluster.
func (e *evaluator) startedSince(m mark) bool { return e.touched > m.touched }

// undo forgets every node and action since m.
func (e *evaluator) undo(m mark) {
	for _, id := range e.created[m.created:] {
		delete(e.status.Nodes, id)
	}
	e.created = e.created[:m.created]
	e.actions.Create = e.actions.Create[:m.creates]
	e.actions.StartSuspends = e.actions.StartSuspends[:m.suspends]
	e.actions.Resources = e.actions.Resources[:m.resources]
	e.actions.AcquireLocks = e.actions.AcquireLocks[:m.acquires]
	e.actions.ReleaseLocks = e.actions.ReleaseLocks[:m.releases]
	e.actions.DecideMemos = e.actions.DecideMemos[:m.lookups]
	e.actions.SaveMemos = e.actions.SaveMemos[:m.saves]
	e.actions.RecordInputErrors = e.actions.RecordInputErrors[:m.inputErrors]
}

func (e *evaluator) fail(n *Node, phase Phase, format string, args ...any) *Node {
	n.Phase, n.Message = phase, fmt.Sprintf(format, args...)
	return n
}

// node evaluates the node `name` running template t with args, resolved
// in the caller's scope.
// local are variables of t's own (see call.local).
func (e *evaluator) node(name, display string, t *wfv1.Template, args wfv1.Arguments, scope, local compile.Vars, depth int) *Node {
	n := e.newNode(name, display, compile.NodeType(t), t.Name)
	e.enterNode(name, depth)
	if depth > maxDepth {
		return e.fail(n, Error, "maximum recursion depth exceeded")
	}
	inputs, ok := e.inputs(n, t, args, scope, local)
	if !ok {
		return n
	}
	vars := e.globals.With(inputs, local)
	if t.Synchronization != nil {
		e.synchronized(n, t, vars, depth)
		return n
	}
	e.memoized(n, t, vars, depth)
	return n
}

// run evaluates node n of template t, once it may run.
func (e *evaluator) run(n *Node, t *wfv1.Template, vars compile.Vars, depth int) {
	switch rs := e.retryStrategy(t); {
	case rs != nil && (n.Type == compile.NodePod || isHTTP(n) || n.Type == compile.NodeSteps || n.Type == compile.NodeDAG):
		e.retry(n, t, rs, vars, depth)
	case n.Type == compile.NodePod || isHTTP(n):
		e.pod(n, t, vars)
	case n.Type == compile.NodeSuspend:
		e.suspend(n, t)
	case n.Type == compile.NodeResource:
		e.resource(n, t, vars)
	case n.Type == compile.NodeSteps:
		e.steps(n, t, vars, depth)
	case n.Type == compile.NodeDAG:
		e.dag(n, t, vars, depth)
	default:
		e.fail(n, Error, "template %q: %s templates are not run yet", t.Name, strings.ToLower(n.Type))
	}
	e.exportGlobals(n, t, vars) // see eval_globals.go
}

func (e *evaluator) pod(n *Node, t *wfv1.Template, vars compile.Vars) {
	if t.HTTP == nil {
		// An ended pod's Job is not built again: its name and recorded
		// result are all that count, and rebuilding every Job on every
		// evaluation is most of a wide workflow's cost.
		name := compile.JobName(e.w.Name, t.Name, n.Name)
		r, ok := e.obs.Jobs[name]
		if ok && r.Phase.Completed() {
			n.Job = name
			e.observePod(n, t, r)
			e.podOutputs(n, t, r, vars)
			e.builds.forget(n.Name)
			return
		}
		// Nor is the Job of a node that waits or runs, while what it
		// was built from is the same (see Evaluator).
		if built, hit := e.builds.lookup(n.Name, t, vars); hit && (ok || built.failure != "") {
			if built.failure != "" {
				e.fail(n, Error, "%s", built.failure)
				return
			}
			n.Job = name
			e.observePod(n, t, r)
			e.podActiveNow(n, name, built, r)
			return
		}
	}
	inst, missing := compile.Instantiate(t, vars.With(compile.Vars{"node.name": compile.NodeName(vars, n.Name), "pod.name": compile.PodNameRef}))
	if len(missing) > 0 {
		e.fail(n, Error, "failed to resolve {{%s}}", missing[0])
		e.rememberPod(n, t, vars, podBuild{failure: n.Message})
		return
	}
	job, script, err := e.w.PodObjects(n.Name, inst)
	if err != nil {
		e.fail(n, Error, "%v", err)
		e.rememberPod(n, t, vars, podBuild{failure: n.Message})
		return
	}
	n.Job = job.Name
	r, ok := e.obs.Jobs[job.Name]
	if !ok && e.holdBack(n) {
		return
	}
	if !ok {
		e.actions.Create = append(e.actions.Create, PodToCreate{Node: n.Name, Job: job, Script: script})
		e.podToCreate(n.Name)
		n.Phase = Pending
		return
	}
	e.observePod(n, t, r)
	if !r.Phase.Completed() {
		ads := job.Spec.Template.Spec.ActiveDeadlineSeconds
		if ads != nil {
			ads = ptr.To(*ads) // not to keep the Job alive
		}
		built := podBuild{deadline: ads, pendingLimit: pendingLimit(inst)}
		e.rememberPod(n, t, vars, built)
		e.podActiveNow(n, job.Name, built, r)
		return
	}
	if inst.HTTP != nil {
		e.httpEnded(n, inst, r)
		return
	}
	e.podOutputs(n, t, r, vars)
}

// rememberPod keeps what building a pod node's Job found, but for HTTP
// templates, whose ended nodes need the instantiated template.
func (e *evaluator) rememberPod(n *Node, t *wfv1.Template, vars compile.Vars, built podBuild) {
	if t.HTTP == nil {
		e.builds.remember(n.Name, t, vars, built)
	}
}

// podActiveNow goes on with a pod node whose Job exists and has not ended,
// with what building its Job found (built).
func (e *evaluator) podActiveNow(n *Node, job string, built podBuild, r PodResult) {
	e.podActive()
	if r.Daemoned {
		n.Daemoned = true
		e.daemoned(n, job, r)
	}
	switch deadline := e.deadline(built.deadline, r); {
	case e.shuttingDown():
		e.stopPod(n, job, r, e.stopped(), e.obs.Now)
	case e.timedOut && !e.exiting:
		e.stopPod(n, job, r, podDeadline, e.obs.Now)
	case r.Phase == Pending && r.Created != nil && built.pendingLimit > 0:
		// Argo fails a node still pending at its timeout or
		// pendingTimeout, counted from the node's start, and frees what
		// its pod waited for.
		if at := r.Created.Add(built.pendingLimit); e.obs.Now.Before(at) {
			e.wakeAt(at)
		} else {
			e.stopPod(n, job, r, "timeout", at)
		}
	case deadline != nil && !e.obs.Now.Before(*deadline):
		// The kubelet enforces it too, but only at its next sync of the
		// pod, which can be half a minute late.
		e.stopPod(n, job, r, podDeadline, *deadline)
	case deadline != nil:
		e.wakeAt(*deadline)
	}
}

// observePod sets a pod node from its Job's result.
func (e *evaluator) observePod(n *Node, t *wfv1.Template, r PodResult) {
	e.touched++
	n.Phase, n.Message, n.Pod, n.StartedAt, n.FinishedAt = r.Phase, r.Message, r.Pod, r.StartedAt, r.FinishedAt
	n.PodIP = r.PodIP // a daemon's, kept once stopped for {{steps.X.ip}}
	n.HostNodeName = r.HostNodeName
	if t.ContainerSet != nil {
		e.containerNodes(n, t, r)
	}
}

// podOutputs sets an ended pod node's outputs.
func (e *evaluator) podOutputs(n *Node, t *wfv1.Template, r PodResult, vars compile.Vars) {
	out := &Outputs{Result: r.Result, Parameters: map[string]string{}, Artifacts: r.Artifacts}
	if r.ExitCode != nil {
		code := strconv.Itoa(int(*r.ExitCode))
		out.ExitCode = &code
	}
	files := outputFiles(t, r)
	for _, p := range t.Outputs.Parameters {
		switch {
		case p.ValueFrom != nil && p.ValueFrom.Path != "" && files[p.ValueFrom.Path] != nil:
			out.Parameters[p.Name] = strings.TrimSuffix(*files[p.ValueFrom.Path], "\n")
		case p.ValueFrom != nil && p.ValueFrom.Default != nil:
			out.Parameters[p.Name] = p.ValueFrom.Default.String()
		case p.Value != nil:
			out.Parameters[p.Name], _ = vars.Resolve(p.Value.String())
		case r.Phase == Succeeded:
			e.fail(n, Error, "failed to read output parameter %q: the container wrote no %s", p.Name, p.ValueFrom.Path)
		}
	}
	n.Outputs = out
}

// outputFiles are the contents of a pod's output files, by path, from its
// termination message: the one file itself, or several as the container's
// wrapper collected them. An empty file counts as none, as before.
func outputFiles(t *wfv1.Template, r PodResult) map[string]*string {
	out := map[string]*string{}
	if r.OutputFile == nil {
		return out
	}
	paths := compile.OutputFiles(t)
	if len(paths) == 1 {
		if *r.OutputFile != "" {
			out[paths[0]] = r.OutputFile
		}
		return out
	}
	for i, content := range compile.DecodeOutputFiles(*r.OutputFile, len(paths)) {
		if content != nil {
			out[paths[i]] = content
		}
	}
	return out
}

// deadline is when a running pod's activeDeadlineSeconds runs out.
func (e *evaluator) deadline(ads *int64, r PodResult) *time.Time {
	if ads == nil || r.StartedAt == nil {
		return nil
	}
	end := r.StartedAt.Add(time.Duration(*ads) * time.Second)
	return &end
}

// pendingLimit is how long a pod node may stay pending: the sooner of
// its template's timeout and pendingTimeout, or 0 for no limit.
func pendingLimit(t *wfv1.Template) time.Duration {
	var limit time.Duration
	for _, s := range []string{t.Timeout, t.PendingTimeout} {
		if d, err := compile.ParseDuration(s); s != "" && err == nil && d > 0 && (limit == 0 || d < limit) {
			limit = d
		}
	}
	return limit
}

// stopPod fails a running pod node with message; the driver records that
// verdict on its Job, then stops the Job's pod.
func (e *evaluator) stopPod(n *Node, job string, r PodResult, message string, at time.Time) {
	r.Phase, r.Message, r.FinishedAt = Failed, message, &at
	e.actions.StopJobs = append(e.actions.StopJobs, JobToStop{Job: job, Result: r})
	n.Phase, n.Message, n.FinishedAt = r.Phase, r.Message, r.FinishedAt
}

func (e *evaluator) wakeAt(t time.Time) {
	if e.actions.WakeAt == nil || t.Before(*e.actions.WakeAt) {
		e.actions.WakeAt = &t
	}
}

func (e *evaluator) suspend(n *Node, t *wfv1.Template) {
	st, ok := e.obs.Suspends[n.Name]
	if !ok && e.holdBack(n) {
		return
	}
	if !ok {
		// Pending until its start is recorded: a resume applies only to
		// suspend nodes that were running when it was given, as in Argo.
		e.actions.StartSuspends = append(e.actions.StartSuspends, n.Name)
		n.Phase = Pending
		return
	}
	e.touched++
	n.StartedAt = &st.StartedAt
	resumed := st.ResumedAt
	if resumed == nil && e.obs.ResumeAll != nil && !e.obs.ResumeAll.Before(st.StartedAt) {
		resumed = e.obs.ResumeAll
	}
	if resumed != nil {
		n.Phase, n.FinishedAt = Succeeded, resumed
	} else if t.Suspend.Duration != "" {
		d, err := compile.ParseDuration(t.Suspend.Duration)
		if err != nil {
			e.fail(n, Error, "suspend duration: %v", err)
			return
		}
		if end := st.StartedAt.Add(d); e.obs.Now.Before(end) {
			n.Phase = Running
			e.wakeAt(end)
		} else {
			n.Phase, n.FinishedAt = Succeeded, &end
		}
	} else {
		n.Phase = Running
	}
	if msg := e.halt(); n.Phase == Running && msg != "" {
		e.fail(n, Failed, "%s", msg)
		n.FinishedAt = &e.obs.Now
	}
	if n.Phase != Succeeded {
		return
	}
	// Supplied outputs fall back to their defaults on resume, as in Argo.
	n.Outputs = &Outputs{Parameters: map[string]string{}}
	for _, p := range t.Outputs.Parameters {
		if p.ValueFrom != nil && p.ValueFrom.Default != nil {
			n.Outputs.Parameters[p.Name] = p.ValueFrom.Default.String()
		}
	}
}

// progress is Argo's N/M: M counts the nodes that run something (pods,
// which in Argo include resource nodes, and suspends), N those of them
// that Succeeded; a failed node counts 0 of 1.
func (e *evaluator) progress() string {
	done, total := 0, 0
	for _, n := range e.status.Nodes {
		switch n.Type {
		case compile.NodePod, compile.NodeResource, compile.NodeSuspend, compile.NodeHTTP:
		default:
			continue
		}
		total++
		if n.Phase == Succeeded {
			done++
		}
	}
	return fmt.Sprintf("%d/%d", done, total)
}

// span sets a parent's times from its children's.
func (e *evaluator) span(n *Node) {
	for _, id := range n.Children {
		c := e.status.Nodes[id]
		if c.StartedAt != nil && (n.StartedAt == nil || c.StartedAt.Before(*n.StartedAt)) {
			n.StartedAt = c.StartedAt
		}
		if n.Phase.Fulfilled() && c.FinishedAt != nil && (n.FinishedAt == nil || c.FinishedAt.After(*n.FinishedAt)) {
			n.FinishedAt = c.FinishedAt
		}
	}
}

// firstFailed returns the first child that failed or errored, but those
// allowed to.
func (e *evaluator) firstFailed(ids []string, allowed map[string]bool) *Node {
	for _, id := range ids {
		if c := e.status.Nodes[id]; (c.Phase == Failed || c.Phase == Error) && !allowed[id] {
			return c
		}
	}
	return nil
}

func (e *evaluator) allFulfilled(ids []string) bool {
	return !slices.ContainsFunc(ids, func(id string) bool { return !e.status.Nodes[id].done() })
}
