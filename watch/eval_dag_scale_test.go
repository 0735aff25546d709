package watch

import (
	"runtime"
	"testing"
)

// TestDAGEvaluationGrowsLinearly: one evaluation of a wide DAG allocates in
// proportion to its tasks, all ended or stopped by failFast after the
// first failed. A scope copied for each task, or the whole DAG assessed
// for each, made it quadratic: gigabytes an evaluation at 5,000 tasks.
func TestDAGEvaluationGrowsLinearly(t *testing.T) {
	for _, tc := range []struct {
		name      string
		failFirst bool
	}{{"ended", false}, {"first failed", true}} {
		t.Run(tc.name, func(t *testing.T) {
			allocated := func(tasks int) uint64 {
				w := workflow(t, wideDAGYAML(tasks))
				obs := runUntil(w, tasks, tc.failFirst)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				Evaluate(w, obs)
				runtime.ReadMemStats(&after)
				return after.TotalAlloc - before.TotalAlloc
			}
			small, large := allocated(500), allocated(2000)
			if ratio := float64(large) / float64(small); ratio > 6 {
				t.Errorf("4 times the tasks allocated %.1f times the bytes (%d, then %d): want about 4", ratio, small, large)
			}
		})
	}
}
