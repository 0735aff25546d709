package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/executor"
)

func TestArtifactsConfigMap(t *testing.T) {
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "wf-gen-1", Namespace: "ns", UID: "job-uid",
		Labels: map[string]string{compile.LabelWorkflow: "wf", compile.LabelNode: "1"}}}
	records := []executor.Record{
		{Name: "file", Path: "/tmp/f", Files: []executor.File{{Mode: 0o644, Data: []byte("hello\n")}}},
		{Name: "dir", Path: "/tmp/d", Dir: true, Files: []executor.File{{Path: "a", Mode: 0o600, Data: []byte("a")}, {Path: "sub/b", Mode: 0o755, Data: []byte("b")}}},
		{Name: "missing", Path: "/tmp/m", Error: "open /tmp/m: no such file or directory"},
	}
	cm, stored, failures := artifactsConfigMap(job, records, nil)
	wantStored := []compile.StoredArtifact{
		{Name: "file", Path: "/tmp/f", ConfigMap: "wf-gen-1-artifacts", Files: []compile.StoredFile{{Key: "file.0", Mode: 0o644}}},
		{Name: "dir", Path: "/tmp/d", ConfigMap: "wf-gen-1-artifacts", Dir: true, Files: []compile.StoredFile{{Key: "dir.0", Path: "a", Mode: 0o600}, {Key: "dir.1", Path: "sub/b", Mode: 0o755}}},
	}
	if diff := cmp.Diff(wantStored, stored); diff != "" {
		t.Errorf("stored artifacts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"open /tmp/m: no such file or directory"}, failures); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	wantData := map[string][]byte{"file.0": []byte("hello\n"), "dir.0": []byte("a"), "dir.1": []byte("b")}
	if diff := cmp.Diff(wantData, cm.BinaryData); diff != "" {
		t.Errorf("ConfigMap data (-want +got):\n%s", diff)
	}
	// Owned by the Job, so that the artifacts go when the result naming
	// them does; labelled, so that the workflow's deletion finds them.
	if len(cm.OwnerReferences) != 1 || cm.OwnerReferences[0].UID != "job-uid" || cm.Labels[compile.LabelWorkflow] != "wf" {
		t.Errorf("ConfigMap metadata = %+v", cm.ObjectMeta)
	}
}

// TestArtifactsPendingHoldTheNode: a pod whose main has ended has not,
// for its node, until its sidecar has printed the artifacts.
func TestArtifactsPendingHoldTheNode(t *testing.T) {
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Annotations: map[string]string{compile.AnnotationOutputArtifacts: "a"}},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: compile.ArtifactsContainerName}}}}}}
	ended := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	pod := func(phase corev1.PodPhase, sidecar corev1.ContainerState) *corev1.Pod {
		return &corev1.Pod{Status: corev1.PodStatus{Phase: phase,
			ContainerStatuses:     []corev1.ContainerStatus{{Name: "main", State: ended}},
			InitContainerStatuses: []corev1.ContainerStatus{{Name: compile.ArtifactsContainerName, State: sidecar}}}}
	}
	for _, tc := range []struct {
		name string
		job  *batchv1.Job
		pod  *corev1.Pod
		want Phase
	}{
		{"sidecar still running", job, pod(corev1.PodRunning, running), Running},
		{"sidecar ended", job, pod(corev1.PodRunning, ended), Succeeded},
		{"pod ended", job, pod(corev1.PodSucceeded, ended), Succeeded},
		{"no artifacts to wait for", &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}}, pod(corev1.PodRunning, running), Succeeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := podState(tc.job, tc.pod).Phase; got != tc.want {
				t.Errorf("phase %s, want %s", got, tc.want)
			}
		})
	}
}

const artifactPassingYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: whole
        template: read
        arguments: {artifacts: [{name: in, from: "{{steps.gen.outputs.artifacts.out}}"}]}
      - name: part
        template: read
        arguments: {artifacts: [{name: in, from: "{{steps.gen.outputs.artifacts.out}}", subPath: sub/b}]}
  - name: gen
    container: {image: busybox, command: [sh, -c, "mkdir -p /out/sub; echo a > /out/a; echo b > /out/sub/b"]}
    outputs: {artifacts: [{name: out, path: /out}]}
  - name: read
    inputs: {artifacts: [{name: in, path: /in}]}
    container: {image: busybox, command: [ls, -R, /in]}
`

// TestArtifactPassing: a step's saved artifact is mounted in the steps
// that take it with from, whole or the part its subPath names, and is the
// producing node's output.
func TestArtifactPassing(t *testing.T) {
	w := workflow(t, artifactPassingYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, actions := Evaluate(w, obs)
	if len(actions.Create) != 1 {
		t.Fatalf("%d Jobs to create first, want gen's", len(actions.Create))
	}
	gen := actions.Create[0].Job
	if gen.Annotations[compile.AnnotationOutputArtifacts] != "out" {
		t.Errorf("gen's Job does not say it saves artifact out: %v", gen.Annotations)
	}
	out := compile.StoredArtifact{Name: "out", Path: "/out", ConfigMap: ArtifactsConfigMapName(gen.Name), Dir: true,
		Files: []compile.StoredFile{{Key: "out.0", Path: "a", Mode: 0o644}, {Key: "out.1", Path: "sub/b", Mode: 0o600}}}
	obs.Jobs[gen.Name] = PodResult{Phase: Succeeded, ExitCode: ptr.To[int32](0), Artifacts: []compile.StoredArtifact{out}}
	status, actions := Evaluate(w, obs)
	if n := nodeNamed(status, w.Name+"[0].gen"); n == nil || n.Outputs == nil || cmp.Diff([]compile.StoredArtifact{out}, n.Outputs.Artifacts) != "" {
		t.Errorf("gen's node outputs = %+v, want its artifact", n)
	}
	mounts := map[string][2]any{}
	for _, c := range actions.Create {
		spec := c.Job.Spec.Template.Spec
		var vol *corev1.Volume
		for i := range spec.Volumes {
			if spec.Volumes[i].ConfigMap != nil && spec.Volumes[i].ConfigMap.Name == out.ConfigMap {
				vol = &spec.Volumes[i]
			}
		}
		var fileMounts []corev1.VolumeMount
		for _, m := range spec.Containers[0].VolumeMounts {
			if vol != nil && m.Name == vol.Name {
				fileMounts = append(fileMounts, m)
			}
		}
		if vol == nil || fileMounts == nil {
			t.Fatalf("%s: no volume of %s mounted: %+v", c.Node, out.ConfigMap, spec)
		}
		mounts[c.Node] = [2]any{vol.ConfigMap.Items, fileMounts}
	}
	// A directory's files are mounted one by one, each the file itself.
	want := map[string][2]any{
		w.Name + "[1].whole": {
			[]corev1.KeyToPath{{Key: "out.0", Path: "a", Mode: ptr.To[int32](0o644)}, {Key: "out.1", Path: "sub/b", Mode: ptr.To[int32](0o600)}},
			[]corev1.VolumeMount{
				{Name: compile.ArtifactsVolumeName + "-0", MountPath: "/in/a", SubPath: "a", ReadOnly: true},
				{Name: compile.ArtifactsVolumeName + "-0", MountPath: "/in/sub/b", SubPath: "sub/b", ReadOnly: true},
			},
		},
		w.Name + "[1].part": {
			[]corev1.KeyToPath{{Key: "out.1", Path: "file", Mode: ptr.To[int32](0o600)}},
			[]corev1.VolumeMount{{Name: compile.ArtifactsVolumeName + "-0", MountPath: "/in", SubPath: "file", ReadOnly: true}},
		},
	}
	if diff := cmp.Diff(want, mounts); diff != "" {
		t.Errorf("artifact volumes and mounts by node (-want +got):\n%s", diff)
	}
}

// TestArtifactFromAFailedSubPath: a subPath the artifact does not hold
// is the node's error, as Argo's executor fails to load it.
func TestArtifactFromAFailedSubPath(t *testing.T) {
	w := workflow(t, artifactPassingYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	_, actions := Evaluate(w, obs)
	gen := actions.Create[0].Job
	out := compile.StoredArtifact{Name: "out", Path: "/out", ConfigMap: "cm", Dir: true, Files: []compile.StoredFile{{Key: "out.0", Path: "a", Mode: 0o644}}}
	obs.Jobs[gen.Name] = PodResult{Phase: Succeeded, ExitCode: ptr.To[int32](0), Artifacts: []compile.StoredArtifact{out}}
	status, _ := Evaluate(w, obs)
	n := nodeNamed(status, w.Name+"[1].part")
	if n == nil || n.Phase != Error || n.Message != `subPath "sub/b": no such file or directory in artifact "out"` {
		t.Errorf("part's node = %+v, want the subPath's error", n)
	}
}
