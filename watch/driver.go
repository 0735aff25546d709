package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// FieldManager names kubectl-wf in managedFields and server-side apply.
const FieldManager = "kubectl-wf"

// Config is what a driver needs to know; the CLI builds it from flags.
type Config struct {
	Namespace string
	Name      string
	// Identity names this driver in the workflow's Lease.
	Identity string
	// OnStatus is called with each new status, for progress display.
	OnStatus func(*Status)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Resources runs resource templates; without it they fail.
	Resources *Resources
	// OnChild is told how each child workflow this driver drove ended
	// (child_workflow.go); a child another process holds is not told.
	OnChild func(namespace, name string, status *Status, err error)
}

// Drive runs a workflow to its end from this process and returns its final
// status. It first takes the workflow's Lease (a *HeldError says who holds
// it), then reacts to its Jobs and Pods through informers. Killed at any
// point, it loses nothing: the next Drive reads the same objects and goes
// on (docs/design.md).
func Drive(ctx context.Context, cs kubernetes.Interface, cfg Config) (*Status, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := &driver{cs: cs, cfg: cfg, wake: make(chan struct{}, 1)}
	obj, err := cs.CoreV1().ConfigMaps(cfg.Namespace).Get(ctx, cfg.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("workflow %s: %w", cfg.Name, err)
	}
	if d.w, err = compile.DecodeWorkflowObject(obj); err != nil {
		return nil, err
	}
	d.eval, d.results = NewEvaluator(d.w), decodedResults{}
	// A memoized node's result is cached for whoever reads it later.
	d.needResult = strings.Contains(obj.Data[compile.WorkflowDataKey], "outputs.result") || usesMemoize(d.w)
	if d.podGC, err = compile.ParsePodGC(d.w.Spec.PodGC); err != nil {
		return nil, err
	}
	d.lease = &lease{cs: cs, namespace: cfg.Namespace, name: cfg.Name, identity: cfg.Identity,
		owner: []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: obj.Name, UID: obj.UID}}}
	if err := d.lease.acquire(ctx, cfg.Now()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	renewing := make(chan struct{})
	go func() { defer close(renewing); d.renew(ctx, cancel) }()
	defer func() {
		cancel(nil)
		<-renewing // the lease is the renewer's until it has stopped
		d.lease.release(context.WithoutCancel(ctx))
	}()
	return d.run(ctx)
}

type driver struct {
	cs         kubernetes.Interface
	cfg        Config
	w          *compile.Workflow
	eval       *Evaluator // of w, remembering across reconciles
	results    decodedResults
	lease      *lease
	needResult bool
	jobs       jobCache      // of cachedJobs (slim.go)
	pods       cache.Indexer // of cachedPods, indexed by podsByJob
	last       *Status
	// created holds the Jobs this driver made that its informer may not
	// show yet: they count as Pending, so a quick second reconcile does
	// not ask the apiserver to create them again.
	created map[string]bool
	// recorded holds, by Job name, the result annotations this driver
	// wrote that its informer may not show yet, so that a quick second
	// reconcile does not record them again.
	recorded map[string]recordedResultOf
	// wake makes the loop reconcile again; objectWatches follow the
	// objects of resource nodes waiting on a condition.
	wake chan struct{}
	// evalTook is how long the last evaluation took (see pace).
	evalTook      time.Duration
	objectWatches map[string]*objectWatch
	// pdbMade: the workflow's PodDisruptionBudget exists (see pdb.go).
	pdbMade bool
	// nodeLocks: some template takes locks; lockWatch follows them.
	nodeLocks bool
	lockWatch *nodeLockWatch
	// objects caches the workflow's ConfigMaps (slim: no data); lastRV
	// is the workflow object's version this driver last read or wrote.
	objects listerscorev1.ConfigMapLister
	lastRV  string
	// written is the workflow object as this driver's last write left it
	// (slim), and replaced the versions its writes since its last read
	// replaced, oldest first: each write carries the version it replaces,
	// so no one else's write came between them, and a cache holding one
	// of them is behind that write, not ahead of it.
	written  *corev1.ConfigMap
	replaced []string
	// statusWrittenAt is when writeStatus last wrote (progressInterval).
	statusWrittenAt time.Time
	// podGC is spec.podGC (see pod_gc.go); nil deletes no pod.
	podGC *compile.PodGC
	// children are the child workflows this driver drives, by
	// namespace/name; each channel closes when its driving ends.
	children map[string]chan struct{}
}

// poke asks for a reconcile; pokes while one is pending are merged.
func (d *driver) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// renew keeps the lease. A renewal the apiserver did not answer is tried
// again at the next tick; meanwhile the loop stops acting once the lease
// may have run out (see lease.fresh). Only a lease someone else took ends
// the driving.
func (d *driver) renew(ctx context.Context, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(LeaseDuration / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			wasFresh := d.lease.fresh(d.cfg.Now())
			err := d.lease.renew(ctx, d.cfg.Now())
			switch {
			case err == nil && !wasFresh:
				d.poke() // the loop waits for this renewal to act again
			case err == nil, ctx.Err() != nil, IsTransient(err):
			default:
				cancel(err)
				return
			}
		}
	}
}

func (d *driver) run(ctx context.Context) (*Status, error) {
	selector := labels.Set{compile.LabelWorkflow: d.cfg.Name}.String()
	factory := informers.NewSharedInformerFactoryWithOptions(d.cs, 0, informers.WithNamespace(d.cfg.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = selector }))
	jobs, pods, cms := factory.Batch().V1().Jobs(), factory.Core().V1().Pods(), factory.Core().V1().ConfigMaps()
	d.jobs = jobCache{jobs.Informer().GetIndexer()}
	d.objects = cms.Lister()
	// Pods by their Job's name: podOf runs for every Job on every
	// reconcile, and a label-selector List scans every pod each time.
	if err := pods.Informer().AddIndexers(cache.Indexers{podsByJob: podJobName}); err != nil {
		return nil, err
	}
	d.pods = pods.Informer().GetIndexer()
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { d.poke() },
		UpdateFunc: func(any, any) { d.poke() },
		DeleteFunc: func(any) { d.poke() },
	}
	// Pods keep every label only for podGC's selector (slim.go).
	slim := slimmer{podLabels: d.podGC != nil}
	for _, inf := range []cache.SharedIndexInformer{jobs.Informer(), pods.Informer(), cms.Informer()} {
		if err := inf.SetTransform(slim.transform); err != nil {
			return nil, err
		}
		if _, err := inf.AddEventHandler(handler); err != nil {
			return nil, err
		}
	}
	informerCtx, stopInformers := context.WithCancel(ctx)
	factory.Start(informerCtx.Done())
	defer factory.Shutdown() // runs after stopInformers: Shutdown waits for them to stop
	defer stopInformers()
	for typ, ok := range factory.WaitForCacheSync(informerCtx.Done()) {
		if !ok {
			return nil, fmt.Errorf("watching %v of workflow %s: %w", typ, d.cfg.Name, context.Cause(ctx))
		}
	}
	obj, err := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Get(ctx, d.cfg.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("workflow %s: %w", d.cfg.Name, err)
	}
	// A workflow that errs before its first node takes no lock and makes
	// no claim, as in Argo.
	if obj.Annotations[AnnotationWorkflowError] == "" {
		if err := d.waitForLocks(ctx, obj); err != nil {
			return nil, err
		}
		if err := d.ensureVolumeClaims(ctx, Phase(obj.Annotations[AnnotationPhase])); err != nil {
			return nil, err
		}
	}
	if err := d.driveUnfinishedChildren(ctx, obj); err != nil {
		return nil, err
	}
	if d.nodeLocks = usesNodeLocks(d.w); d.nodeLocks {
		if err := d.watchNodeLocks(informerCtx); err != nil {
			return nil, err
		}
	}
	var backoff time.Duration
	for {
		status, wakeAt, done, err := d.step(ctx)
		switch {
		case err == nil || apierrors.IsConflict(err):
			backoff = 0
		case IsTransient(err):
			// The apiserver is away (restarting, say): try again later.
			// The informers reconnect, and list again, by themselves.
			backoff = min(max(2*backoff, 500*time.Millisecond), 8*time.Second)
			retry := d.cfg.Now().Add(backoff)
			wakeAt = &retry
		default:
			return status, err
		}
		if done {
			return status, nil
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if wakeAt != nil {
			timer = time.NewTimer(time.Until(*wakeAt) + 10*time.Millisecond)
			fire = timer.C
		}
		stepped := time.Now()
		select {
		case <-ctx.Done():
			return status, context.Cause(ctx)
		case <-d.wake:
			if err := d.pace(ctx, stepped); err != nil {
				return status, err
			}
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// pace holds a reconcile woken by an event until as long has passed since
// the last one ended as its evaluation took, so that evaluating takes at
// most half of the driver's time. An evaluation walks the whole workflow:
// on a wide one, reconciling at each event's arrival would evaluate again
// and again for a few pods each time, and the events that come meanwhile
// are then taken in one reconcile. A small workflow evaluates in well
// under a millisecond, and is not held back.
func (d *driver) pace(ctx context.Context, stepped time.Time) error {
	wait := d.evalTook - time.Since(stepped)
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// step reconciles once, and once the workflow has ended, cleans up after
// it (done). While this driver's lease is not known to be its own, it does
// nothing: the renewal that succeeds wakes it.
func (d *driver) step(ctx context.Context) (status *Status, wakeAt *time.Time, done bool, err error) {
	if !d.lease.fresh(d.cfg.Now()) {
		return d.last, nil, false, nil
	}
	status, wakeAt, err = d.reconcile(ctx)
	if err != nil || status == nil || !status.Phase.Fulfilled() {
		if err == nil {
			err = d.ensurePDB(ctx)
		}
		if err == nil {
			var gcAt *time.Time
			_, gcAt, err = d.collectPods(ctx, status)
			wakeAt = earliest(wakeAt, gcAt)
		}
		return status, wakeAt, false, err
	}
	if err := d.deletePDB(ctx); err != nil {
		return status, nil, false, err
	}
	if err := d.deleteVolumeClaims(ctx, status.Phase); err != nil {
		return status, nil, false, err
	}
	// Pods podGC deletes go before the driver does: nothing else would
	// delete them later.
	if pending, gcAt, err := d.collectPods(ctx, status); err != nil || pending {
		return status, gcAt, false, err
	}
	if err := d.releaseLocks(ctx); err != nil {
		return status, nil, false, err
	}
	// Child workflows this process drives would stop with it; each one's
	// end wakes this loop.
	if d.childrenRunning() {
		return status, nil, false, nil
	}
	return status, nil, true, d.scheduleDeletion(ctx, status.Phase)
}

// reconcile reads the workflow's objects, evaluates, records decisions,
// then acts: each step is safe to repeat.
func (d *driver) reconcile(ctx context.Context) (*Status, *time.Time, error) {
	obj, err := d.workflowObject(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("workflow %s: %w", d.cfg.Name, err)
	}
	obs, writes, err := d.observe(ctx, obj)
	if err != nil {
		return nil, nil, err
	}
	// On a path that ends early, the writes still end before the next
	// reconcile; their error is the next reconcile's to meet.
	defer func() { _ = writes.wait(d) }()
	evalStart := time.Now()
	status, actions := d.eval.Evaluate(obs)
	d.evalTook = time.Since(evalStart)
	if len(actions.StartSuspends) > 0 {
		for _, n := range actions.StartSuspends {
			obs.Suspends[n] = SuspendState{StartedAt: obs.Now}
		}
		if obj, err = d.annotate(ctx, obj, map[string]string{AnnotationSuspends: mustJSON(obs.Suspends)}); err != nil {
			return status, nil, err
		}
	}
	if err := d.releaseNodeLocks(ctx, actions.ReleaseLocks); err != nil {
		return status, nil, err
	}
	waits, err := d.acquireNodeLocks(ctx, actions.AcquireLocks)
	if err != nil {
		return status, nil, err
	}
	if obj, err = d.recordLockWaits(ctx, obj, status, waits); err != nil {
		return status, nil, err
	}
	memos := maps.Clone(obs.Memos)
	if memos == nil {
		memos = map[string]MemoState{}
	}
	if obj, err = d.decideMemos(ctx, obj, memos, actions.DecideMemos, obs.Now); err != nil {
		return status, nil, err
	}
	if obj, err = d.saveMemos(ctx, obj, memos, actions.SaveMemos, obs.Now); err != nil {
		return status, nil, err
	}
	if obj, err = d.recordInputErrors(ctx, obj, obs.InputErrors, actions.RecordInputErrors); err != nil {
		return status, nil, err
	}
	for _, stop := range actions.StopJobs {
		if err := d.stopJob(ctx, stop); err != nil {
			return status, nil, err
		}
	}
	if obj, err = d.runResources(ctx, obj, obs, actions.Resources); err != nil {
		return status, nil, err
	}
	createErrors, err := d.createAll(ctx, obj, actions.Create)
	if err != nil {
		return status, nil, err
	}
	if len(createErrors) > 0 {
		all := parseCreateErrors(obj)
		maps.Copy(all, createErrors)
		if obj, err = d.annotate(ctx, obj, map[string]string{AnnotationCreateErrors: mustJSON(all)}); err != nil {
			return status, nil, err
		}
	}
	if err := writes.wait(d); err != nil {
		return status, nil, err
	}
	// Before the end is recorded: see artifact_gc.go.
	if status.Phase.Fulfilled() && !Phase(obj.Annotations[AnnotationPhase]).Fulfilled() {
		if err := d.collectArtifacts(ctx); err != nil {
			return status, nil, err
		}
	}
	flushAt, err := d.writeStatus(ctx, obj, status, obs.Now)
	if err != nil {
		return status, nil, err
	}
	return status, earliest(actions.WakeAt, flushAt), nil
}

// workflowObject reads the workflow object from the informer's cache when
// the cache holds the version this driver last read or wrote, so no one
// has written it since; from what its own last write returned when the
// cache holds a version that write (or one just before it) replaced, so
// the cache has yet to show that write; else from the apiserver. A
// reaction to a pod's end then costs no GET before the next Job is
// created, even just after a status write, and never acts on a version
// older than one it has seen. Both shortcuts know no more of writes by
// others than the cache does; those wake the loop when the cache shows
// them, and the driver's own writes carry the version they replace.
func (d *driver) workflowObject(ctx context.Context) (*corev1.ConfigMap, error) {
	if d.objects != nil && d.lastRV != "" {
		if cached, err := d.objects.ConfigMaps(d.cfg.Namespace).Get(d.cfg.Name); err == nil {
			behind := slices.Index(d.replaced, cached.ResourceVersion)
			switch {
			case cached.ResourceVersion == d.lastRV:
				d.written, d.replaced = nil, nil
				return cached.DeepCopy(), nil
			case d.written != nil && d.written.ResourceVersion == d.lastRV && behind >= 0:
				// Versions before the one the cache holds are not looked
				// for again (the cache does not go back; if it did, the
				// driver would only GET).
				d.replaced = d.replaced[behind:]
				return d.written.DeepCopy(), nil
			}
		}
	}
	obj, err := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Get(ctx, d.cfg.Name, metav1.GetOptions{})
	if err == nil {
		d.lastRV, d.written, d.replaced = obj.ResourceVersion, nil, nil
	}
	return obj, err
}

// wrote notes a successful write of the workflow object that replaced
// version base (see workflowObject).
func (d *driver) wrote(base string, updated *corev1.ConfigMap) {
	if base != d.lastRV {
		// Based on a version read elsewhere: what came before it is unknown.
		d.replaced = d.replaced[:0]
	}
	d.replaced = append(d.replaced, base)
	d.lastRV = updated.ResourceVersion
	d.written = &corev1.ConfigMap{TypeMeta: updated.TypeMeta, ObjectMeta: *updated.ObjectMeta.DeepCopy()}
	d.written.ManagedFields = nil
}

// observe gathers what exists: each Job's recorded result, or its pod's
// state (recording the result of a pod that ended), and the decisions
// recorded on the workflow object. The results of pods that simply ended
// are still being written on their Jobs when it returns (see
// resultWrites).
func (d *driver) observe(ctx context.Context, obj *corev1.ConfigMap) (Observed, *resultWrites, error) {
	writes := &resultWrites{}
	obs, err := observedFromObject(obj, d.cfg.Now())
	if err != nil {
		return obs, writes, err
	}
	obs.Namespace, obs.Locks = d.cfg.Namespace, d.heldNodeLocks()
	cached := d.jobs.cached()
	// Sized at once: grown entry by entry, a map of thousands of Jobs
	// leaves as much again behind.
	jobs := make(map[string]PodResult, len(obs.Jobs)+len(cached)+len(d.created))
	maps.Copy(jobs, obs.Jobs)
	obs.Jobs = jobs
	for name := range d.created {
		obs.Jobs[name] = PodResult{Phase: Pending}
	}
	var updates []*jobUpdate
	// Each cached Job is read into the same Job, which nothing keeps; a
	// Job to update is built anew.
	job := &batchv1.Job{}
	for _, c := range cached {
		c.into(job)
		delete(d.created, job.Name)
		r, recorded := d.results.read(job)
		if mine, ok := d.recorded[job.Name]; ok && mine.uid == job.UID && !recorded {
			r, recorded = d.results.decode(job.Name, mine.raw), true
		} else if ok {
			delete(d.recorded, job.Name)
		}
		var pod *corev1.Pod
		if !recorded || r.Phase == Error {
			// A recorded result needs its pod only to stop it.
			pod = d.podOf(job)
		}
		if !recorded {
			r = podState(job, pod)
		}
		_, seen := job.Annotations[AnnotationDaemoned]
		u := jobUpdate{pod: pod, r: r, record: !recorded && r.Phase.Completed(), daemoned: r.Daemoned && !seen, stop: stopsPod(job, r, pod)}
		u.writeLater = u.record && !u.daemoned && !u.stop
		if u.record || u.daemoned || u.stop {
			u.job = c.job()
			updates = append(updates, &u)
			continue
		}
		obs.Jobs[job.Name] = r
	}
	if err := d.updateJobs(ctx, updates); err != nil {
		return obs, writes, err
	}
	for _, u := range updates {
		obs.Jobs[u.job.Name] = u.r
	}
	d.noteRecorded(updates)
	writes.start(ctx, d, updates)
	return obs, writes, nil
}

// noteRecorded keeps the result annotations written by updates.
func (d *driver) noteRecorded(updates []*jobUpdate) {
	for _, u := range updates {
		if u.recorded == "" {
			continue
		}
		if d.recorded == nil {
			d.recorded = map[string]recordedResultOf{}
		}
		d.recorded[u.job.Name] = recordedResultOf{uid: u.job.UID, raw: u.recorded}
	}
}

// recordedResultOf is a result annotation written on the Job with uid.
type recordedResultOf struct {
	uid types.UID
	raw string
}

// jobUpdate is what observe writes on one Job: its pod's result, that its
// daemon became ready, that its pod must stop.
type jobUpdate struct {
	job                    *batchv1.Job
	pod                    *corev1.Pod
	r                      PodResult
	record, daemoned, stop bool
	// writeLater: the result is read now but written by resultWrites.
	writeLater bool
	// recorded is the result annotation written, once written.
	recorded string
}

// updateJobs makes observe's writes, to several Jobs at once: the pods of
// a step group or of a DAG's layer often end together, and their results
// recorded one round trip after another would delay what follows them.
// Each Job's writes keep their order, and all are done (or one failed)
// before it returns, so before anything is decided on them.
func (d *driver) updateJobs(ctx context.Context, updates []*jobUpdate) error {
	var g errgroup.Group
	g.SetLimit(createParallelism)
	for _, u := range updates {
		g.Go(func() error { return d.updateJob(ctx, u) })
	}
	return g.Wait()
}

func (d *driver) updateJob(ctx context.Context, u *jobUpdate) error {
	if u.record {
		if err := d.readOutput(ctx, u.job, u.pod, &u.r); err != nil {
			return err
		}
	}
	if u.record && !u.writeLater {
		raw, err := d.writeResult(ctx, u.job, u.r)
		if err != nil {
			return err
		}
		u.recorded = raw
	}
	if u.daemoned {
		if err := d.recordDaemoned(ctx, u.job, u.r.PodIP); err != nil {
			return err
		}
	}
	// After recording, so that a crash in between leaves the result.
	if u.stop {
		return d.suspendJob(ctx, u.job)
	}
	return nil
}

// observedFromObject reads the decisions recorded on the workflow object.
func observedFromObject(obj *corev1.ConfigMap, now time.Time) (Observed, error) {
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Resources: map[string]ResourceState{}, Now: now}
	if raw := obj.Annotations[AnnotationSuspends]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &obs.Suspends); err != nil {
			return obs, fmt.Errorf("workflow %s: annotation %s: %w", obj.Name, AnnotationSuspends, err)
		}
	}
	if raw := obj.Annotations[AnnotationResumeAll]; raw != "" {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return obs, fmt.Errorf("workflow %s: annotation %s: %w", obj.Name, AnnotationResumeAll, err)
		}
		obs.ResumeAll = &t
	}
	obs.Suspended = obj.Annotations[AnnotationSuspended] == "true"
	if t, err := time.Parse(time.RFC3339, obj.Annotations[AnnotationStartedAt]); err == nil {
		obs.StartedAt = &t
	}
	obs.Shutdown = obj.Annotations[AnnotationShutdown]
	obs.WorkflowError = obj.Annotations[AnnotationWorkflowError]
	if raw := obj.Annotations[AnnotationResources]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &obs.Resources); err != nil {
			return obs, fmt.Errorf("workflow %s: annotation %s: %w", obj.Name, AnnotationResources, err)
		}
	}
	if raw := obj.Annotations[AnnotationMemos]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &obs.Memos); err != nil {
			return obs, fmt.Errorf("workflow %s: annotation %s: %w", obj.Name, AnnotationMemos, err)
		}
	}
	if raw := obj.Annotations[AnnotationInputErrors]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &obs.InputErrors); err != nil {
			return obs, fmt.Errorf("workflow %s: annotation %s: %w", obj.Name, AnnotationInputErrors, err)
		}
	}
	for job, msg := range parseCreateErrors(obj) {
		obs.Jobs[job] = PodResult{Phase: Error, Message: msg}
	}
	return obs, nil
}

// nowFunc is the clock of read-only commands.
var nowFunc = time.Now

// podOf returns the newest pod of a Job (with backoffLimit 0 there is
// one), built anew from the cache.
func (d *driver) podOf(job *batchv1.Job) *corev1.Pod { return podOf(d.pods, job.Name) }

// dropManagedFields keeps managedFields out of the informers' caches: the
// driver never reads them, and on a wide workflow they are a good part of
// every cached Job and pod.
func dropManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// podsByJob indexes pods by the name of the Job that made them.
const podsByJob = "job-name"

func podJobName(obj any) ([]string, error) {
	if p, ok := obj.(*cachedPod); ok && p.job != "" {
		return []string{p.job}, nil
	}
	if p, ok := obj.(metav1.Object); ok && p.GetLabels()[labelJobName] != "" {
		return []string{p.GetLabels()[labelJobName]}, nil
	}
	return nil, nil
}

// recordDaemoned keeps on its Job that a daemon became ready, and its IP,
// before anything that follows it starts: a readiness that flaps later
// must not take back what was decided on it.
func (d *driver) recordDaemoned(ctx context.Context, job *batchv1.Job, ip string) error {
	patch := map[string]any{"metadata": map[string]any{"annotations": map[string]string{AnnotationDaemoned: ip}}}
	_, err := d.cs.BatchV1().Jobs(job.Namespace).Patch(ctx, job.Name, types.MergePatchType, []byte(mustJSON(patch)), metav1.PatchOptions{FieldManager: FieldManager})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// stopJob records a shutdown's verdict on a running Job, then stops its
// pod: in that order, so a crash in between leaves the verdict.
func (d *driver) stopJob(ctx context.Context, stop JobToStop) error {
	patch := map[string]any{"metadata": map[string]any{"annotations": map[string]string{AnnotationResult: mustJSON(stop.Result)}}}
	job, err := d.cs.BatchV1().Jobs(d.cfg.Namespace).Patch(ctx, stop.Job, types.MergePatchType, []byte(mustJSON(patch)), metav1.PatchOptions{FieldManager: FieldManager})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return d.suspendJob(ctx, job)
}

// suspendJob makes the Job controller delete a Job's pod that will never
// end by itself (an image that cannot be pulled, say).
func (d *driver) suspendJob(ctx context.Context, job *batchv1.Job) error {
	patch := []byte(`{"spec":{"suspend":true}}`)
	_, err := d.cs.BatchV1().Jobs(job.Namespace).Patch(ctx, job.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// createParallelism bounds the creations in flight, and observe's writes
// to Jobs; the client's QPS and burst limits still apply to them all.
const createParallelism = 16

// createAll creates the Jobs of every ready node at once, so that a wide
// fan-out is not paid for one round trip after another; it lets go of
// each object in creates once sent. It returns the
// creations the API refused, by Job; an error that is not the API's
// verdict on the object (the context ended, the apiserver is away) is
// returned instead, so that it is not recorded as the node's failure.
func (d *driver) createAll(ctx context.Context, obj *corev1.ConfigMap, creates []PodToCreate) (map[string]string, error) {
	var mu sync.Mutex
	refused := map[string]string{}
	var g errgroup.Group
	g.SetLimit(createParallelism)
	for i, c := range creates {
		g.Go(func() error {
			err := retry.OnError(retry.DefaultBackoff, transient, func() error { return d.create(ctx, obj, c) })
			// Sent: the object need not wait in memory for the others,
			// which at the client's QPS can take minutes on a wide fan-out.
			creates[i].Job, creates[i].Script = nil, nil
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				if d.created == nil {
					d.created = map[string]bool{}
				}
				d.created[c.Job.Name] = true
			case ctx.Err() != nil || transient(err) || apierrors.IsConflict(err):
				return err
			default:
				refused[c.Job.Name] = err.Error()
			}
			return nil
		})
	}
	return refused, g.Wait()
}

// create makes a node's script ConfigMap and Job, owned by the workflow
// object. An object that already exists was made by an earlier driver
// for the same node: it is adopted, never made twice.
func (d *driver) create(ctx context.Context, obj *corev1.ConfigMap, c PodToCreate) error {
	owner := []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: obj.Name, UID: obj.UID, Controller: ptr.To(true)}}
	opts := metav1.CreateOptions{FieldManager: FieldManager}
	if c.Script != nil {
		script := c.Script.DeepCopy()
		script.OwnerReferences = owner
		if _, err := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace).Create(ctx, script, opts); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	job := c.Job.DeepCopy()
	job.OwnerReferences = owner
	if _, err := d.cs.BatchV1().Jobs(d.cfg.Namespace).Create(ctx, job, opts); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func parseCreateErrors(obj *corev1.ConfigMap) map[string]string {
	out := map[string]string{}
	if raw := obj.Annotations[AnnotationCreateErrors]; raw != "" {
		_ = json.Unmarshal([]byte(raw), &out)
	}
	return out
}

// progressInterval is how often at most the driver writes a change of the
// workflow's progress alone on its object. On a serial workflow of short
// steps, a write per step would be a third of the driver's requests, and
// once the client's rate limiter makes them wait, each reaction would
// wait behind one.
const progressInterval = time.Second

// writeStatus records the workflow's phase, message and progress on its
// object when they changed, and tells OnStatus. A change of the progress
// alone waits until progressInterval after the last write (flushAt says
// when); any other change writes at once, the progress with it.
func (d *driver) writeStatus(ctx context.Context, obj *corev1.ConfigMap, s *Status, now time.Time) (flushAt *time.Time, err error) {
	want := map[string]string{
		AnnotationPhase:    string(s.Phase),
		AnnotationMessage:  s.Message,
		AnnotationProgress: s.Progress,
	}
	if obj.Annotations[AnnotationStartedAt] == "" {
		want[AnnotationStartedAt] = now.UTC().Format(time.RFC3339)
	}
	if s.Phase.Fulfilled() && obj.Annotations[AnnotationFinishedAt] == "" {
		want[AnnotationFinishedAt] = now.UTC().Format(time.RFC3339)
	}
	changed, progressOnly := false, true
	for k, v := range want {
		if obj.Annotations[k] != v {
			changed, progressOnly = true, progressOnly && k == AnnotationProgress
		}
	}
	if due := d.statusWrittenAt.Add(progressInterval); changed && progressOnly && now.Before(due) {
		flushAt = &due
	} else if changed {
		if _, err := d.annotate(ctx, obj, want); err != nil {
			return nil, err
		}
		d.statusWrittenAt = now
	}
	if d.cfg.OnStatus != nil && (d.last == nil || !sameStatus(d.last, s)) {
		d.cfg.OnStatus(s)
	}
	d.last = s
	return flushAt, nil
}

// annotate merges annotations into the workflow object. The patch carries
// the resourceVersion it was based on, so a concurrent writer makes it
// fail with a conflict instead of being overwritten; it is then retried
// on a fresh copy.
func (d *driver) annotate(ctx context.Context, obj *corev1.ConfigMap, values map[string]string) (*corev1.ConfigMap, error) {
	anyValues := make(map[string]any, len(values))
	for k, v := range values {
		anyValues[k] = v
	}
	return d.annotateAny(ctx, obj, anyValues)
}

// annotateAny is annotate where a nil value removes the annotation.
func (d *driver) annotateAny(ctx context.Context, obj *corev1.ConfigMap, values map[string]any) (*corev1.ConfigMap, error) {
	cms := d.cs.CoreV1().ConfigMaps(d.cfg.Namespace)
	for attempt := 0; ; attempt++ {
		patch := map[string]any{"metadata": map[string]any{"resourceVersion": obj.ResourceVersion, "annotations": values}}
		updated, err := cms.Patch(ctx, obj.Name, types.MergePatchType, []byte(mustJSON(patch)), metav1.PatchOptions{FieldManager: FieldManager})
		if err == nil {
			d.wrote(obj.ResourceVersion, updated)
		}
		if err == nil || !apierrors.IsConflict(err) || attempt == 5 {
			return updated, err
		}
		if obj, err = cms.Get(ctx, obj.Name, metav1.GetOptions{}); err != nil {
			return nil, err
		}
	}
}

func sameStatus(a, b *Status) bool {
	if a.Phase != b.Phase || a.Progress != b.Progress || len(a.Nodes) != len(b.Nodes) {
		return false
	}
	for id, n := range b.Nodes {
		if m, ok := a.Nodes[id]; !ok || m.Phase != n.Phase {
			return false
		}
	}
	return true
}

// ErrNotWorkflow says a ConfigMap is not a workflow object.
var ErrNotWorkflow = errors.New("not a kubectl-wf workflow")
