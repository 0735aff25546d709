package watch

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestWriteStatusSpacesProgressWrites: a change of the progress alone is
// written at most once per progressInterval, and writeStatus says when it
// is due; a change of phase is written at once, with the progress.
func TestWriteStatusSpacesProgressWrites(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "wf", Namespace: "ns", ResourceVersion: "1"}})
	versionedPatches(cs)
	var told []string
	d := &driver{cs: cs, cfg: Config{Namespace: "ns", Name: "wf", OnStatus: func(s *Status) { told = append(told, s.Progress) }}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		after     time.Duration
		phase     Phase
		progress  string
		wantWrite bool
		wantFlush time.Duration // after start; 0: none
	}{
		{0, Running, "0/3", true, 0},
		{100 * time.Millisecond, Running, "1/3", false, progressInterval},
		{200 * time.Millisecond, Running, "1/3", false, progressInterval},
		{progressInterval + 10*time.Millisecond, Running, "2/3", true, 0},
		{progressInterval + 20*time.Millisecond, Succeeded, "3/3", true, 0},
	}
	for i, st := range steps {
		obj, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cs.ClearActions()
		flushAt, err := d.writeStatus(ctx, obj, &Status{Phase: st.phase, Progress: st.progress}, start.Add(st.after))
		if err != nil {
			t.Fatal(err)
		}
		wrote := len(cs.Actions()) > 0
		var flush time.Duration
		if flushAt != nil {
			flush = flushAt.Sub(start)
		}
		if wrote != st.wantWrite || flush != st.wantFlush {
			t.Errorf("step %d (%s %s): wrote %v, flush after %v; want %v, %v", i, st.phase, st.progress, wrote, flush, st.wantWrite, st.wantFlush)
		}
	}
	obj, err := cs.CoreV1().ConfigMaps("ns").Get(ctx, "wf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Annotations[AnnotationPhase] != string(Succeeded) || obj.Annotations[AnnotationProgress] != "3/3" {
		t.Errorf("object says %s %s; want Succeeded 3/3", obj.Annotations[AnnotationPhase], obj.Annotations[AnnotationProgress])
	}
	if want := []string{"0/3", "1/3", "2/3", "3/3"}; !slices.Equal(told, want) {
		t.Errorf("OnStatus told %v; want every change, written or not: %v", told, want)
	}
}
