package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

func TestContainerSetState(t *testing.T) {
	// a -> {b, c} -> d: a, b, c run as init containers, d as the pod's.
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{compile.AnnotationContainerSet: "a,b,c,d"}},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "a"}, {Name: "b"}, {Name: "c"}},
			Containers:     []corev1.Container{{Name: "d"}},
		}}},
	}
	done := func(name string, code int32) corev1.ContainerStatus {
		reason := "Completed"
		if code != 0 {
			reason = "Error"
		}
		return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason}}}
	}
	running := func(name string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	}
	waiting := func(name, reason string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
	}
	for _, tc := range []struct {
		name       string
		status     corev1.PodStatus
		phase      Phase
		message    string
		containers map[string]Phase
	}{
		{"first running", corev1.PodStatus{Phase: corev1.PodPending,
			InitContainerStatuses: []corev1.ContainerStatus{running("a"), waiting("b", "PodInitializing"), waiting("c", "PodInitializing")},
			ContainerStatuses:     []corev1.ContainerStatus{waiting("d", "PodInitializing")}},
			Running, "", map[string]Phase{"a": Running, "b": Pending, "c": Pending, "d": Pending}},
		{"all done", corev1.PodStatus{Phase: corev1.PodSucceeded,
			InitContainerStatuses: []corev1.ContainerStatus{done("a", 0), done("b", 0), done("c", 0)},
			ContainerStatuses:     []corev1.ContainerStatus{done("d", 0)}},
			Succeeded, "", map[string]Phase{"a": Succeeded, "b": Succeeded, "c": Succeeded, "d": Succeeded}},
		{"last ended before the pod's phase says so", corev1.PodStatus{Phase: corev1.PodRunning,
			InitContainerStatuses: []corev1.ContainerStatus{done("a", 0), done("b", 0), done("c", 0)},
			ContainerStatuses:     []corev1.ContainerStatus{done("d", 0)}},
			Succeeded, "", map[string]Phase{"a": Succeeded, "b": Succeeded, "c": Succeeded, "d": Succeeded}},
		{"b failed: c and d never ran", corev1.PodStatus{Phase: corev1.PodFailed,
			InitContainerStatuses: []corev1.ContainerStatus{done("a", 0), done("b", 2), waiting("c", "PodInitializing")},
			ContainerStatuses:     []corev1.ContainerStatus{waiting("d", "PodInitializing")}},
			Failed, "b: Error (exit code 2)", map[string]Phase{"a": Succeeded, "b": Failed, "c": Failed, "d": Failed}},
		{"bad image", corev1.PodStatus{Phase: corev1.PodPending,
			InitContainerStatuses: []corev1.ContainerStatus{waiting("a", "ErrImagePull")}},
			Error, "a: ErrImagePull: ", map[string]Phase{"a": Pending, "b": Pending, "c": Pending, "d": Pending}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := checkedPodState(t, job, &corev1.Pod{Status: tc.status})
			if r.Phase != tc.phase || r.Message != tc.message {
				t.Errorf("podState = %s %q, want %s %q", r.Phase, r.Message, tc.phase, tc.message)
			}
			got := map[string]Phase{}
			for name, c := range r.Containers {
				got[name] = c.Phase
			}
			if d := cmp.Diff(tc.containers, got); d != "" {
				t.Errorf("container phases (-want +got):\n%s", d)
			}
		})
	}
}

// TestContainerSetWaitsForItsArtifacts: once its containers have ended, a
// containerSet that saves artifacts runs on until its sidecar has printed
// them.
func TestContainerSetWaitsForItsArtifacts(t *testing.T) {
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{compile.AnnotationContainerSet: "a,main", compile.AnnotationOutputArtifacts: "out"}},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: compile.ArtifactsContainerName}},
			Containers:     []corev1.Container{{Name: "a"}, {Name: "main"}},
		}}},
	}
	ended := func(name string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}}
	}
	sidecar := corev1.ContainerStatus{Name: compile.ArtifactsContainerName, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	// The sidecar leaves output files on volumes in its message.
	withFiles := ended(compile.ArtifactsContainerName)
	withFiles.State.Terminated.Message = "hi"
	for _, tc := range []struct {
		name     string
		sidecar  corev1.ContainerStatus
		want     Phase
		wantFile string
	}{
		{"sidecar running", sidecar, Running, ""},
		{"sidecar not started", corev1.ContainerStatus{Name: compile.ArtifactsContainerName}, Running, ""},
		{"sidecar ended", ended(compile.ArtifactsContainerName), Succeeded, ""},
		{"sidecar ended with output files", withFiles, Succeeded, "hi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning,
				InitContainerStatuses: []corev1.ContainerStatus{tc.sidecar},
				ContainerStatuses:     []corev1.ContainerStatus{ended("a"), ended("main")}}}
			r := checkedPodState(t, job, pod)
			if r.Phase != tc.want {
				t.Errorf("podState = %s %q, want %s", r.Phase, r.Message, tc.want)
			}
			if got := ptr.Deref(r.OutputFile, ""); got != tc.wantFile {
				t.Errorf("output file %q, want %q", got, tc.wantFile)
			}
		})
	}
}

func TestContainerSetNodes(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    containerSet:
      containers:
      - {name: a, image: busybox}
      - {name: main, image: busybox, dependencies: [a]}
`)
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	s, a := Evaluate(w, obs)
	if len(a.Create) != 1 || len(s.Nodes) != 1 {
		t.Fatalf("before the Job exists: %d creates, %d nodes; want 1 Job and only the pod node", len(a.Create), len(s.Nodes))
	}
	spec := a.Create[0].Job.Spec.Template.Spec
	if len(spec.InitContainers) != 1 || spec.InitContainers[0].Name != "a" || len(spec.Containers) != 1 || spec.Containers[0].Name != "main" {
		t.Errorf("pod runs init %v then %v, want a then main", spec.InitContainers, spec.Containers)
	}
	code := int32(0)
	obs.Jobs[a.Create[0].Job.Name] = PodResult{Phase: Succeeded, ExitCode: &code, Containers: map[string]ContainerResult{
		"a": {Phase: Succeeded}, "main": {Phase: Succeeded}}}
	s, _ = Evaluate(w, obs)
	root := s.Nodes[s.Root]
	var kids []string
	for _, id := range root.Children {
		kids = append(kids, s.Nodes[id].Name+" "+s.Nodes[id].Type+" "+string(s.Nodes[id].Phase))
	}
	if d := cmp.Diff([]string{"wf.a Container Succeeded", "wf.main Container Succeeded"}, kids); d != "" {
		t.Errorf("container nodes (-want +got):\n%s", d)
	}
	if s.Phase != Succeeded || s.Progress != "1/1" {
		t.Errorf("workflow %s %s, want Succeeded 1/1 (containers are not counted)", s.Phase, s.Progress)
	}
}
