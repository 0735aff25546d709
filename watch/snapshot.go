package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// Snapshot is a workflow as any client can read it, without driving it:
// its object, its status evaluated from its Jobs and Pods, and its Lease.
type Snapshot struct {
	Object   *corev1.ConfigMap
	Workflow *compile.Workflow
	Status   *Status
	// Holder is the identity of the driver holding the workflow, if any.
	Holder string
}

// Read evaluates a workflow's status from the cluster without changing
// anything: results not yet recorded by a driver are shown as their pods
// report them.
func Read(ctx context.Context, cs kubernetes.Interface, namespace, name string) (*Snapshot, error) {
	obj, err := cs.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if obj.Labels[compile.LabelRole] != compile.RoleWorkflow {
		return nil, fmt.Errorf("configmap %s/%s: %w", namespace, name, ErrNotWorkflow)
	}
	w, err := compile.DecodeWorkflowObject(obj)
	if err != nil {
		return nil, err
	}
	selector := labels.Set{compile.LabelWorkflow: name}.String()
	jobs, err := cs.BatchV1().Jobs(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	pods, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	podOf := map[string]*corev1.Pod{}
	for i := range pods.Items {
		p := &pods.Items[i]
		job := p.Labels[labelJobName]
		if cur, ok := podOf[job]; !ok || p.CreationTimestamp.After(cur.CreationTimestamp.Time) {
			podOf[job] = p
		}
	}
	obs, err := observedFromObject(obj, nowFunc())
	if err != nil {
		return nil, err
	}
	needResult := strings.Contains(obj.Data[compile.WorkflowDataKey], "outputs.result")
	for i := range jobs.Items {
		job, pod := &jobs.Items[i], podOf[jobs.Items[i].Name]
		r, recorded := recordedResult(job)
		if !recorded {
			r = podState(job, pod)
			// A pod that ended but whose driver died before recording its
			// result: read its output as the next driver will, so that
			// what depends on it is shown as it will run.
			if (needResult || compile.IsHTTPJob(job)) && pod != nil && r.ExitCode != nil && r.Phase.Completed() {
				if out, err := readResult(ctx, cs, pod); err == nil {
					r.Result = &out
				}
			}
		}
		obs.Jobs[job.Name] = r
	}
	status, _ := Evaluate(w, obs)
	if raw := obj.Annotations[AnnotationLockWaits]; raw != "" {
		var waits map[string]string
		if json.Unmarshal([]byte(raw), &waits) == nil {
			applyLockWaits(status, waits)
		}
	}
	for _, n := range status.Nodes {
		if pod := podOf[n.Job]; n.Job != "" && pod != nil {
			n.HostNodeName = pod.Spec.NodeName
		}
	}
	if p := obj.Annotations[AnnotationPhase]; Phase(p).Fulfilled() {
		// A finished workflow's recorded verdict stands, even once its
		// pods are gone.
		status.Phase, status.Message = Phase(p), obj.Annotations[AnnotationMessage]
		markCollected(status, jobs.Items)
	}
	if msg := obj.Annotations[AnnotationMessage]; Phase(obj.Annotations[AnnotationPhase]) == Pending && strings.HasPrefix(msg, "Waiting for ") {
		// Its driver waits for a lock before it starts (see sync.go).
		status.Phase, status.Message = Pending, msg
	}
	snap := &Snapshot{Object: obj, Workflow: w, Status: status}
	if l, err := cs.CoordinationV1().Leases(namespace).Get(ctx, name, metav1.GetOptions{}); err == nil && l.Spec.HolderIdentity != nil {
		if l.Spec.RenewTime != nil && nowFunc().Sub(l.Spec.RenewTime.Time) < LeaseDuration {
			snap.Holder = *l.Spec.HolderIdentity
		}
	}
	return snap, nil
}
