package watch

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// mapReduceYAML is Argo's map-reduce example, short: split saves a
// directory of parts at a key, each map reads its part by key and saves
// its result under results/, reduce reads the directory results/.
const mapReduceYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: split, template: split}
      - name: map
        template: map
        depends: split
        withParam: "{{tasks.split.outputs.result}}"
        arguments:
          parameters: [{name: id, value: "{{item}}"}]
          artifacts: [{name: part, s3: {key: "{{workflow.name}}/parts/{{item}}.json"}}]
      - {name: reduce, template: reduce, depends: map}
  - name: split
    outputs:
      artifacts: [{name: parts, path: /out, s3: {key: "{{workflow.name}}/parts/"}}]
    container: {image: busybox, command: [split]}
  - name: map
    inputs:
      parameters: [{name: id}]
      artifacts: [{name: part, path: /in/part.json}]
    outputs:
      artifacts: [{name: part, path: /out/part.json, s3: {key: "{{workflow.name}}/results/{{inputs.parameters.id}}.json"}}]
    container: {image: busybox, command: [map]}
  - name: reduce
    inputs:
      artifacts: [{name: results, path: /in, s3: {key: "{{workflow.name}}/results"}}]
    container: {image: busybox, command: [reduce]}
`

// savedBy is a pod's result once it saved artifacts, each at the key its
// Job names (as saveArtifacts records them), in ConfigMap JOB-artifacts.
func savedBy(t *testing.T, job *batchv1.Job, finished time.Time, result string, arts ...compile.StoredArtifact) PodResult {
	t.Helper()
	r := succeed(result)
	r.FinishedAt = &finished
	for i := range arts {
		arts[i].ConfigMap = ArtifactsConfigMapName(job.Name)
	}
	setArtifactKeys(job, arts)
	r.Artifacts = arts
	return r
}

// mountedFiles are the files a Job's main container gets from artifact
// ConfigMaps: by path, the ConfigMap and key.
func mountedFiles(t *testing.T, job *batchv1.Job) map[string]string {
	t.Helper()
	pod := job.Spec.Template.Spec
	out := map[string]string{}
	for _, m := range pod.Containers[0].VolumeMounts {
		i := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i < 0 || pod.Volumes[i].ConfigMap == nil || !strings.HasPrefix(m.Name, compile.ArtifactsVolumeName) {
			continue
		}
		cm := pod.Volumes[i].ConfigMap
		for _, item := range cm.Items {
			if item.Path == m.SubPath {
				out[m.MountPath] = cm.Name + ":" + item.Key
			}
		}
	}
	return out
}

// TestMapReduceKeys: key-only artifacts pass between nodes that name the
// same keys, a directory gathering what several nodes saved.
func TestMapReduceKeys(t *testing.T) {
	w := workflow(t, mapReduceYAML)
	obs := Observed{Jobs: map[string]PodResult{}, Suspends: map[string]SuspendState{}, Now: t0}
	_, actions := Evaluate(w, obs)
	if len(actions.Create) != 1 {
		t.Fatalf("created %d Jobs first, want split's", len(actions.Create))
	}
	split := actions.Create[0].Job
	if got := split.Annotations[compile.AnnotationArtifactKeys]; got != `{"parts":"wf/parts/"}` {
		t.Errorf("split's keys %s", got)
	}
	obs.Jobs[split.Name] = savedBy(t, split, t0.Add(time.Second), `["0","1"]`, compile.StoredArtifact{Name: "parts", Dir: true,
		Files: []compile.StoredFile{{Key: "parts.0", Path: "0.json", Mode: 0o644}, {Key: "parts.1", Path: "1.json", Mode: 0o644}}})

	_, actions = Evaluate(w, obs)
	if len(actions.Create) != 2 {
		t.Fatalf("created %d Jobs, want the two maps'", len(actions.Create))
	}
	splitCM := ArtifactsConfigMapName(split.Name)
	for i, c := range actions.Create {
		id := string(rune('0' + i))
		want := map[string]string{"/in/part.json": splitCM + ":parts." + id}
		if d := cmp.Diff(want, mountedFiles(t, c.Job)); d != "" {
			t.Errorf("map %s's files (-want +got):\n%s", id, d)
		}
		obs.Jobs[c.Job.Name] = savedBy(t, c.Job, t0.Add(2*time.Second), "", compile.StoredArtifact{Name: "part",
			Files: []compile.StoredFile{{Key: "part.0", Mode: 0o644}}})
	}

	_, actions = Evaluate(w, obs)
	if len(actions.Create) != 1 {
		t.Fatalf("created %d Jobs, want reduce's", len(actions.Create))
	}
	want := map[string]string{}
	for i, c := range []string{"0", "1"} {
		want["/in/"+c+".json"] = ArtifactsConfigMapName(compile.JobName(w.Name, "map", compile.LoopNodeName(w.Name+".map", i, c))) + ":part.0"
	}
	if d := cmp.Diff(want, mountedFiles(t, actions.Create[0].Job)); d != "" {
		t.Errorf("reduce's files (-want +got):\n%s", d)
	}
}

// TestKeyNotFound: an input whose key names nothing the workflow saved
// (here, no pod saved anything) errors its node, in Argo's words; an
// optional one gets no file.
func TestKeyNotFound(t *testing.T) {
	w := workflow(t, mapReduceYAML)
	status, _ := simulate(t, w, func(string, []string) PodResult { return succeed(`["0"]`) })
	n := status.Nodes[compile.NodeID(w.Name, compile.LoopNodeName(w.Name+".map", 0, "0"))]
	if want := "artifact part failed to load: no key found of name wf/parts/0.json"; n == nil || n.Phase != Error || n.Message != want {
		t.Errorf("map(0) %+v, want Error: %s", n, want)
	}

	w = workflow(t, mapReduceYAML)
	mapT, _ := w.Template("map")
	mapT.Inputs.Artifacts[0].Optional = true
	reduce, _ := w.Template("reduce")
	reduce.Inputs.Artifacts[0].Optional = true
	status, _ = simulate(t, w, func(string, []string) PodResult { return succeed(`["0"]`) })
	if status.Phase != Succeeded {
		t.Errorf("optional inputs: workflow %s (%s), want Succeeded", status.Phase, status.Message)
	}
}

func TestSetArtifactKeys(t *testing.T) {
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{
		compile.AnnotationArtifactKeys: `{"a":"wf/a","dir":"wf/d/"}`}}}
	stored := []compile.StoredArtifact{{Name: "a"}, {Name: "dir"}, {Name: "plain"}}
	setArtifactKeys(job, stored)
	want := []compile.StoredArtifact{{Name: "a", Key: "wf/a"}, {Name: "dir", Key: "wf/d/"}, {Name: "plain"}}
	if d := cmp.Diff(want, stored); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
