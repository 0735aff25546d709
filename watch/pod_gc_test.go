package watch

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
)

// jobKubelet plays the Job controller and the kubelet for the podGC
// tests: each Job gets a pod with the Job's template labels, which exits
// 1 when the Job's template is `fail` and 0 otherwise; a moment later
// the Job is marked Complete or Failed, as the Job controller marks it
// after the pod has ended. With latePhase, the pod is first Running with
// main terminated, and gets its final phase only then, as the kubelet
// may report them.
func jobKubelet(ctx context.Context, t *testing.T, cs *fake.Clientset, latePhase bool) {
	w, err := cs.BatchV1().Jobs("ns").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer w.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-w.ResultChan():
				job, ok := ev.Object.(*batchv1.Job)
				if !ok || ev.Type != apiwatch.Added {
					continue
				}
				code, phase, done := int32(0), corev1.PodSucceeded, batchv1.JobComplete
				if strings.Contains(job.Name, "-fail-") {
					code, phase, done = 1, corev1.PodFailed, batchv1.JobFailed
				}
				now := metav1.Now()
				labels := map[string]string{labelJobName: job.Name}
				for k, v := range job.Spec.Template.Labels {
					labels[k] = v
				}
				pod := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Name: job.Name + "-pod", Namespace: "ns", UID: "uid-" + job.UID, CreationTimestamp: now, Labels: labels},
					Status: corev1.PodStatus{Phase: phase, StartTime: &now, ContainerStatuses: []corev1.ContainerStatus{{
						Name: "main", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, FinishedAt: now}}}}},
				}
				if latePhase {
					pod.Status.Phase = corev1.PodRunning
				}
				if _, err := cs.CoreV1().Pods("ns").Create(ctx, pod, metav1.CreateOptions{}); err != nil && ctx.Err() == nil {
					t.Errorf("creating pod: %v", err)
				}
				go func() {
					time.Sleep(50 * time.Millisecond)
					if latePhase {
						pod.Status.Phase = phase
						if _, err := cs.CoreV1().Pods("ns").UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil && ctx.Err() == nil {
							t.Errorf("updating pod: %v", err)
						}
					}
					for range 5 { // the driver patches the Job meanwhile
						cur, err := cs.BatchV1().Jobs("ns").Get(ctx, job.Name, metav1.GetOptions{})
						if err != nil {
							return
						}
						cur.Status.Conditions = append(cur.Status.Conditions, batchv1.JobCondition{Type: done, Status: corev1.ConditionTrue})
						if _, err := cs.BatchV1().Jobs("ns").UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err == nil {
							return
						}
					}
				}()
			}
		}
	}()
}

const podGCWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  podGC: %s
  templates:
  - name: main
    steps:
    - - {name: a, template: ok}
      - {name: b, template: kept}
    - - {name: c, template: %s}
  - name: ok
    metadata: {labels: {gc: "yes"}}
    container: {image: busybox}
  - name: kept
    container: {image: busybox}
  - name: fail
    metadata: {labels: {gc: "yes"}}
    container: {image: busybox}
`

// TestPodGC: the pods spec.podGC names are deleted, by the time the
// driver is done, and the others kept, for each of Argo's strategies.
func TestPodGC(t *testing.T) {
	for _, tc := range []struct {
		name, podGC, last string
		phase             Phase
		kept              []string // templates whose pods remain
		latePhase         bool
	}{
		{"OnPodCompletion", "{strategy: OnPodCompletion}", "fail", Failed, nil, false},
		{"OnPodSuccess spares a failed pod", "{strategy: OnPodSuccess}", "fail", Failed, []string{"fail"}, false},
		// The nodes end on main's status; success is the pod's phase.
		{"OnPodSuccess waits for the pods' phases", "{strategy: OnPodSuccess}", "ok", Succeeded, nil, true},
		{"OnWorkflowSuccess after a failure", "{strategy: OnWorkflowSuccess}", "fail", Failed, []string{"fail", "kept", "ok"}, false},
		{"OnWorkflowSuccess", "{strategy: OnWorkflowSuccess}", "ok", Succeeded, nil, false},
		{"OnWorkflowCompletion", "{strategy: OnWorkflowCompletion}", "fail", Failed, nil, false},
		{"labelSelector", "{strategy: OnPodCompletion, labelSelector: {matchLabels: {gc: \"yes\"}}}", "fail", Failed, []string{"kept"}, false},
		{"deleteDelayDuration", "{strategy: OnPodCompletion, deleteDelayDuration: 1s}", "ok", Succeeded, nil, false},
		{"no strategy", "{}", "ok", Succeeded, []string{"kept", "ok", "ok"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset()
			createWorkflow(t, cs, strings.NewReplacer("%s", tc.podGC).Replace(strings.Replace(podGCWorkflow, "template: %s", "template: "+tc.last, 1)))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			jobKubelet(ctx, t, cs, tc.latePhase)
			start := time.Now()
			status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if status.Phase != tc.phase {
				t.Fatalf("phase %s (%s), want %s", status.Phase, status.Message, tc.phase)
			}
			pods, err := cs.CoreV1().Pods("ns").List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var kept []string
			for _, p := range pods.Items {
				kept = append(kept, strings.Split(p.Name, "-")[1]) // wf-TEMPLATE-HASH-pod
			}
			slices.Sort(kept)
			if d := cmp.Diff(tc.kept, kept); d != "" {
				t.Errorf("templates of the pods left (-want +got):\n%s", d)
			}
			if strings.Contains(tc.podGC, "deleteDelayDuration") && time.Since(start) < time.Second {
				t.Errorf("driver done %v after start, before the 1s delay", time.Since(start))
			}
		})
	}
}
