package compile

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

// compileYAML lints and compiles one workflow document.
func compileYAML(t *testing.T, src string, params map[string]string) *Plan {
	t.Helper()
	docs, diags := ParseFile("wf.yaml", []byte(src))
	if diags = append(diags, Lint(docs)...); diags.HasErrors() {
		t.Fatalf("invalid test workflow:\n%v", diags)
	}
	w, err := NewWorkflow(docs[0], Options{Namespace: "ns", Parameters: params})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Compile(w)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

const patchWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: mem, value: 100Mi}, {name: cpu, value: 100m}]
  podSpecPatch: |
    containers:
      - name: main
        resources:
          limits:
            memory: "{{workflow.parameters.mem}}"
            ephemeral-storage: "{{inputs.parameters.disk}}"
  templates:
  - name: main
    inputs:
      parameters: [{name: disk, value: 1Gi}]
    podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"cpu":"{{workflow.parameters.cpu}}"}}}]}'
    container: {image: busybox}
`

// TestPodObjects checks what a pod template's Job gets from fields that
// hold tags Argo resolves late, or not at all.
func TestPodObjects(t *testing.T) {
	tests := []struct {
		name, src string
		params    map[string]string
		check     func(t *testing.T, job *batchv1.Job)
		deferred  string // the plan defers the node for this instead
	}{{
		// Substituted before it is parsed: a tag is not a quantity.
		name: "podSpecPatch with parameters and inputs",
		src:  patchWorkflow,
		check: func(t *testing.T, job *batchv1.Job) {
			want := corev1.ResourceList{
				corev1.ResourceMemory:           resource.MustParse("100Mi"),
				corev1.ResourceCPU:              resource.MustParse("100m"),
				corev1.ResourceEphemeralStorage: resource.MustParse("1Gi"),
			}
			if d := cmp.Diff(want, job.Spec.Template.Spec.Containers[0].Resources.Limits); d != "" {
				t.Errorf("limits (-want +got):\n%s", d)
			}
		},
	}, {
		name:   "podSpecPatch with -p",
		src:    patchWorkflow,
		params: map[string]string{"mem": "1Gi"},
		check: func(t *testing.T, job *batchv1.Job) {
			if got := job.Spec.Template.Spec.Containers[0].Resources.Limits.Memory().String(); got != "1Gi" {
				t.Errorf("memory limit %s, want 1Gi", got)
			}
		},
	}, {
		// The workflow's UID exists only once it is submitted.
		name: "podSpecPatch needing a run-time value",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  podSpecPatch: '{"nodeSelector": {"wf": "{{workflow.uid}}"}}'
  templates:
  - {name: main, container: {image: busybox}}
`,
		deferred: "needs {{workflow.uid}} at run time",
	}, {
		// Argo writes the source 0755: `command: [sh, -c]` runs it.
		name: "script source is executable",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    script: {image: bash, command: [sh, -c], source: "echo hi"}
`,
		check: func(t *testing.T, job *batchv1.Job) {
			vols := job.Spec.Template.Spec.Volumes
			if len(vols) != 1 || vols[0].ConfigMap == nil || vols[0].ConfigMap.DefaultMode == nil || *vols[0].ConfigMap.DefaultMode != 0o755 {
				t.Errorf("script volume %+v, want a ConfigMap with defaultMode 0755", vols)
			}
		},
	}, {
		// The seed copies main's image as main's user: main's as patched.
		name: "seeded directories after podSpecPatch",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    podSpecPatch: '{"containers":[{"name":"main","image":"alpine","securityContext":{"runAsUser":1000}}]}'
    outputs:
      artifacts: [{name: a, path: /mnt/a}]
    container: {image: busybox, args: [touch, /mnt/a]}
`,
		check: func(t *testing.T, job *batchv1.Job) {
			pod := job.Spec.Template.Spec
			var got []string
			for _, c := range pod.InitContainers {
				if c.Name == seedContainerName {
					got = append(got, c.Image, fmt.Sprint(c.SecurityContext))
				}
			}
			want := []string{"alpine", fmt.Sprint(&corev1.SecurityContext{RunAsUser: ptr.To[int64](1000)})}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("seed container's image and user (-want +got):\n%s", d)
			}
		},
	}, {
		// Metrics are Argo's controller's, with variables of their own.
		name: "metrics are not substituted",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    metrics:
      prometheus:
      - name: duration
        help: "by status"
        labels: [{key: status, value: "{{status}}"}]
        gauge: {realtime: false, value: "{{duration}}"}
    container: {image: busybox, command: [echo, "{{workflow.name}}"]}
`,
		check: func(t *testing.T, job *batchv1.Job) {
			if got := job.Spec.Template.Spec.Containers[0].Command; got[1] != "wf" {
				t.Errorf("command %q", got)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := compileYAML(t, tt.src, tt.params)
			if tt.deferred != "" {
				if len(plan.Nodes) != 1 || plan.Nodes[0].Deferred != tt.deferred || len(plan.Jobs) != 0 {
					t.Fatalf("plan %+v, want the node deferred: %s", plan.Nodes, tt.deferred)
				}
				return
			}
			if len(plan.Jobs) != 1 {
				t.Fatalf("plan has %d Jobs, want 1: %+v", len(plan.Jobs), plan.Nodes)
			}
			tt.check(t, plan.Jobs[0])
		})
	}
}
