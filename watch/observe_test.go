package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// TestObserveRecordsEndedPodsAtOnce: the results of pods that ended
// together are recorded on their Jobs concurrently, and their writes end
// when waited for; a result that could not be recorded fails the wait,
// and so the reconcile, before its status is written.
func TestObserveRecordsEndedPodsAtOnce(t *testing.T) {
	const n = 3
	for _, tc := range []struct {
		name    string
		refuse  string // a Job whose patch the apiserver refuses
		wantErr bool
	}{
		{name: "all recorded"},
		{name: "one refused", refuse: "j1", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			arrived := map[string]bool{}
			all := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
				if r.Method != http.MethodPatch || !strings.HasPrefix(r.URL.Path, "/apis/batch/v1/namespaces/ns/jobs/") {
					http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
					return
				}
				mu.Lock()
				arrived[name] = true
				if len(arrived) == n {
					close(all)
				}
				mu.Unlock()
				// Every patch waits for the others: recorded one after
				// another, the first would never be answered.
				select {
				case <-all:
				case <-time.After(5 * time.Second):
					http.Error(w, "the other Jobs' patches did not come while this one was in flight", http.StatusGatewayTimeout)
					return
				}
				if name == tc.refuse {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnprocessableEntity)
					_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
						Status: metav1.StatusFailure, Reason: metav1.StatusReasonInvalid, Code: http.StatusUnprocessableEntity})
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(&batchv1.Job{TypeMeta: metav1.TypeMeta{Kind: "Job", APIVersion: "batch/v1"},
					ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}})
			}))
			defer srv.Close()
			cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, QPS: -1})
			if err != nil {
				t.Fatal(err)
			}
			jobs := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
			pods := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{podsByJob: podJobName})
			ended := metav1.Now()
			for i := range n {
				name := fmt.Sprintf("j%d", i)
				if err := jobs.Add(&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}); err != nil {
					t.Fatal(err)
				}
				pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name + "-pod", Namespace: "ns", Labels: map[string]string{labelJobName: name}},
					Status: corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{{
						Name: "main", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, FinishedAt: ended}}}}}}
				if err := pods.Add(pod); err != nil {
					t.Fatal(err)
				}
			}
			d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf", Now: time.Now}, jobs: jobCache{jobs}, pods: pods, results: decodedResults{}}
			obs, writes, err := d.observe(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns"}})
			if err == nil {
				err = writes.wait(d)
			}
			if tc.wantErr {
				if err == nil {
					t.Fatalf("observed %v; want the refused patch's error", obs.Jobs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if r := obs.Jobs[fmt.Sprintf("j%d", i)]; r.Phase != Succeeded {
					t.Errorf("j%d observed %s, want Succeeded", i, r.Phase)
				}
			}
		})
	}
}
