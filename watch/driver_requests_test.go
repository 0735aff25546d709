package watch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"
)

// TestSerialStepsCostTwoWritesEach: each step of a serial workflow costs
// the driver two writes, its Job's creation and its result's record; the
// workflow object's progress is written at most once a second between
// the writes of its start and its end. A third write per step would
// spend the client's QPS on display: once its burst is spent, each
// reaction to a pod's end would wait for more tokens.
func TestSerialStepsCostTwoWritesEach(t *testing.T) {
	const steps = 30
	var y strings.Builder
	y.WriteString("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  entrypoint: main\n  templates:\n  - name: t\n    container: {image: busybox, command: [\"true\"]}\n  - name: main\n    steps:\n")
	for i := range steps {
		fmt.Fprintf(&y, "    - - {name: s%d, template: t}\n", i)
	}
	cs := fake.NewClientset()
	createWorkflow(t, cs, y.String())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fakeKubelet(ctx, t, cs, "ns")
	start := time.Now()
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if status.Phase != Succeeded || status.Progress != fmt.Sprintf("%d/%d", steps, steps) {
		t.Fatalf("workflow %s %s (%s), want Succeeded %d/%d", status.Phase, status.Progress, status.Message, steps, steps)
	}
	count := map[string]int{}
	for _, a := range cs.Actions() {
		count[a.GetVerb()+" "+a.GetResource().Resource]++
	}
	if count["create jobs"] != steps || count["patch jobs"] != steps {
		t.Errorf("%d Jobs created and %d patched, want %d each: %v", count["create jobs"], count["patch jobs"], steps, count)
	}
	// The start, the end, and a progress write per second in between.
	if most := 2 + int(elapsed/progressInterval) + 1; count["patch configmaps"] > most {
		t.Errorf("%d patches of the workflow object in %v, want at most %d: %v", count["patch configmaps"], elapsed.Round(time.Millisecond), most, count)
	}
}
