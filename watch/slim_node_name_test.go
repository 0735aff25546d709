package watch

import (
	"strings"
	"testing"
	"unsafe"
)

// TestCachedPodKeepsNodeName: the slim cache keeps a pod's spec.nodeName
// ({{steps.X.hostNodeName}}), and pods on one node share one copy of its
// name, however each pod's came in.
func TestCachedPodKeepsNodeName(t *testing.T) {
	job := fanOutJobs(&testing.B{}, 1)[0]
	tests := []struct{ name, node string }{
		{name: "on a node", node: "worker-7"},
		{name: "not scheduled yet", node: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cached []*cachedPod
			for range 2 {
				pod := endedPod(job)
				// A string of its own, as each pod decoded from a watch
				// event has.
				pod.Spec.NodeName = strings.Clone(tt.node)
				cached = append(cached, cachePod(pod, false))
			}
			for i, c := range cached {
				if got := c.pod().Spec.NodeName; got != tt.node {
					t.Errorf("pod %d: nodeName %q, want %q", i, got, tt.node)
				}
			}
			if tt.node != "" && unsafe.StringData(cached[0].nodeName) != unsafe.StringData(cached[1].nodeName) {
				t.Error("pods on one node keep a copy each of its name")
			}
		})
	}
}
