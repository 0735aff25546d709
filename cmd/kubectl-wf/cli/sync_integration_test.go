package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// Two step groups of three items each: the first holds a mutex per item,
// the second a slot of a semaphore whose limit, 2, is in a ConfigMap.
const templateLocksYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: tmpl-locks-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: mutex
            template: with-mutex
            withItems: [a, b, c]
        - - name: semaphore
            template: with-semaphore
            withItems: [a, b, c]
    - name: with-mutex
      synchronization:
        mutexes:
          - name: welcome
      container:
        image: busybox
        command: [sleep, "2"]
    - name: with-semaphore
      synchronization:
        semaphores:
          - configMapKeyRef: {name: my-config, key: template}
      container:
        image: busybox
        command: [sleep, "3"]
`

// One pod that takes the same mutex, from another workflow.
const otherMutexYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: other-
spec:
  entrypoint: with-mutex
  templates:
    - name: with-mutex
      synchronization:
        mutex:
          name: welcome
      container:
        image: busybox
        command: [sleep, "2"]
`

// TestTemplateLocksOnCluster: template-level locks hold across the items
// of a workflow and across workflows: no two holders of the mutex ever
// run at once, at most two holders of the semaphore do, a waiting node
// shows Argo's message, and no lock is left once both have ended.
func TestTemplateLocksOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "my-config"}, Data: map[string]string{"template": "2"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	main := submitInBackground(t, ns, writeTemp(t, templateLocksYAML), "--name", "locks")
	other := submitInBackground(t, ns, writeTemp(t, otherMutexYAML), "--name", "other")
	want := "Waiting for " + ns + "/Mutex/welcome lock. Lock status: 0/1"
	waitFor(t, 60*time.Second, func() bool {
		for _, name := range []string{"locks", "other"} {
			snap, err := watch.Read(ctx, cs, ns, name)
			if err != nil {
				continue
			}
			for _, n := range snap.Status.Nodes {
				if n.Phase == watch.Pending && n.Message == want {
					return true
				}
			}
		}
		return false
	})
	if code := exitCode(t, main); code != 0 {
		t.Fatalf("locks exited %d", code)
	}
	if code := exitCode(t, other); code != 0 {
		t.Fatalf("other exited %d", code)
	}
	var mutex, semaphore []span
	for _, name := range []string{"locks", "other"} {
		doc := getJSON(t, ns, name)
		if doc.Status.Phase != watch.Succeeded {
			t.Fatalf("%s: %s %s", name, doc.Status.Phase, doc.Status.Message)
		}
		for _, n := range doc.Status.Nodes {
			if n.Type != "Pod" {
				continue
			}
			if n.StartedAt == nil || n.FinishedAt == nil {
				t.Fatalf("%s has no start or end", n.Name)
			}
			s := span{n.Name, *n.StartedAt, *n.FinishedAt}
			if strings.Contains(n.Name, "semaphore") {
				semaphore = append(semaphore, s)
			} else {
				mutex = append(mutex, s)
			}
		}
	}
	if len(mutex) != 4 || len(semaphore) != 3 {
		t.Fatalf("%d mutex holders, %d semaphore holders; want 4 and 3", len(mutex), len(semaphore))
	}
	if n, at := mostAtOnce(mutex); n != 1 {
		t.Errorf("%d mutex holders ran at once at %v: %v", n, at, mutex)
	}
	if n, at := mostAtOnce(semaphore); n != 2 {
		t.Errorf("at most %d semaphore holders ran at once (at %v), want 2: %v", n, at, semaphore)
	}
	leases, err := cs.CoordinationV1().Leases(ns).List(ctx, metav1.ListOptions{LabelSelector: "kubectl-wf.dev/role=lock"})
	if err != nil || len(leases.Items) != 0 {
		t.Errorf("locks left: %d (%v)", len(leases.Items), err)
	}
}

type span struct {
	name       string
	start, end time.Time
}

// mostAtOnce is the largest number of spans running at one instant (each
// taken as [start, end)), and an instant when it is reached.
func mostAtOnce(spans []span) (int, time.Time) {
	best, at := 0, time.Time{}
	for _, s := range spans {
		n := 0
		for _, o := range spans {
			if !o.start.After(s.start) && s.start.Before(o.end) {
				n++
			}
		}
		if n > best {
			best, at = n, s.start
		}
	}
	return best, at
}
