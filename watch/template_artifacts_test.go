package watch

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// artifactRun is what runArtifacts saw: the final status, and the Jobs
// made and their raw artifacts' data, by node name.
type artifactRun struct {
	status *Status
	jobs   map[string]*batchv1.Job
	raw    map[string]map[string]string
}

// runArtifacts drives w to its end: each pod succeeds with the result
// results gives its template, and saves the output artifacts its template
// declares, each one file in its Job's ConfigMap.
func runArtifacts(t *testing.T, w *compile.Workflow, results map[string]string) artifactRun {
	t.Helper()
	obs := Observed{Jobs: map[string]PodResult{}, Now: t0}
	run := artifactRun{jobs: map[string]*batchv1.Job{}, raw: map[string]map[string]string{}}
	for range 50 {
		status, actions := Evaluate(w, obs)
		if status.Phase.Fulfilled() {
			run.status = status
			return run
		}
		for _, c := range actions.Create {
			run.jobs[c.Node] = c.Job
			if c.Script != nil {
				run.raw[c.Node] = c.Script.Data
			}
			tmpl := c.Job.Annotations[compile.AnnotationTemplate]
			r := succeed(results[tmpl])
			if names := c.Job.Annotations[compile.AnnotationOutputArtifacts]; names != "" {
				for _, name := range strings.Split(names, ",") {
					r.Artifacts = append(r.Artifacts, storedFile(name, ArtifactsConfigMapName(c.Job.Name)))
				}
			}
			obs.Jobs[c.Job.Name] = r
		}
		obs.Now = obs.Now.Add(1e9)
	}
	t.Fatal("workflow did not end in 50 evaluations")
	return artifactRun{}
}

func storedFile(name, configMap string) compile.StoredArtifact {
	return compile.StoredArtifact{Name: name, Path: "/" + name, ConfigMap: configMap, Files: []compile.StoredFile{{Key: name + ".0", Mode: 0o644}}}
}

// mountedConfigMaps are the ConfigMaps of stored artifacts a Job mounts.
func mountedConfigMaps(job *batchv1.Job) []string {
	var out []string
	if job == nil {
		return nil
	}
	for _, v := range job.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil && strings.HasPrefix(v.Name, compile.ArtifactsVolumeName+"-") {
			out = append(out, v.ConfigMap.Name)
		}
	}
	return out
}

// runCoin drives src, its flip-coin step giving coin (see runArtifacts),
// and returns what it saw and the node named WF+suffix (WF the
// workflow's name), which must exist.
func runCoin(t *testing.T, src, coin, suffix string) (artifactRun, *Node) {
	t.Helper()
	w := workflow(t, src)
	run := runArtifacts(t, w, map[string]string{"flip-coin": coin})
	n := nodeNamed(run.status, w.Name+suffix)
	if n == nil {
		t.Fatalf("no node %s in %+v", w.Name+suffix, run.status.Nodes)
	}
	return run, n
}

// conditionalYAML is Argo's conditional-artifacts example in short, its
// main's output artifact taken by expression ($OUT), and a caller that
// passes it on to a reader.
const conditionalYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: top
  templates:
  - name: top
    steps:
    - - {name: main, template: main}
    - - name: read
        template: read
        arguments: {artifacts: [{name: in, from: "{{steps.main.outputs.artifacts.result}}"}]}
  - name: main
    steps:
    - - {name: flip-coin, template: flip-coin}
    - - {name: heads, template: heads, when: "{{steps.flip-coin.outputs.result}} == heads"}
      - {name: tails, template: tails, when: "{{steps.flip-coin.outputs.result}} == tails"}
    outputs:
      artifacts:
      - name: result
        $OUT
  - name: flip-coin
    container: {image: busybox, command: [flip]}
  - name: heads
    container: {image: busybox, command: [heads]}
    outputs: {artifacts: [{name: file, path: /result.txt}]}
  - name: tails
    container: {image: busybox, command: [tails]}
    outputs: {artifacts: [{name: file, path: /result.txt}]}
  - name: read
    inputs: {artifacts: [{name: in, path: /in}]}
    container: {image: busybox, command: [cat, /in]}
`

const conditionalDAGYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: top
  templates:
  - name: top
    dag:
      tasks:
      - {name: main, template: main}
      - name: read
        depends: main
        template: read
        arguments: {artifacts: [{name: in, from: "{{tasks.main.outputs.artifacts.result}}"}]}
  - name: main
    dag:
      tasks:
      - {name: flip-coin, template: flip-coin}
      - {name: heads, depends: flip-coin, template: heads, when: "{{tasks.flip-coin.outputs.result}} == heads"}
      - {name: tails, depends: flip-coin, template: tails, when: "{{tasks.flip-coin.outputs.result}} == tails"}
    outputs:
      artifacts:
      - name: result
        $OUT
  - name: flip-coin
    container: {image: busybox, command: [flip]}
  - name: heads
    container: {image: busybox, command: [heads]}
    outputs: {artifacts: [{name: file, path: /result.txt}]}
  - name: tails
    container: {image: busybox, command: [tails]}
    outputs: {artifacts: [{name: file, path: /result.txt}]}
  - name: read
    inputs: {artifacts: [{name: in, path: /in}]}
    container: {image: busybox, command: [cat, /in]}
`

// TestTemplateOutputArtifacts: a steps or dag template's output artifact
// is the child's its from or fromExpression names, the same ConfigMap,
// which its caller passes on; an expression evaluates the branch it takes
// only, and one that takes a skipped step's artifact is main's error.
func TestTemplateOutputArtifacts(t *testing.T) {
	const steps, dag = "steps", "tasks"
	ternary := func(kind string) string {
		return `fromExpression: "` + kind + `['flip-coin'].outputs.result == 'heads' ? ` + kind + `.heads.outputs.artifacts.file : ` + kind + `.tails.outputs.artifacts.file"`
	}
	tests := []struct {
		name, yaml, out, coin string
		// from is the template whose artifact main gives, "" for none.
		from, wantPhase, wantMessage string
	}{
		{name: "steps, expression, heads", yaml: conditionalYAML, out: ternary(steps), coin: "heads", from: "heads", wantPhase: "Succeeded"},
		{name: "steps, expression, tails", yaml: conditionalYAML, out: ternary(steps), coin: "tails", from: "tails", wantPhase: "Succeeded"},
		{name: "dag, expression, heads", yaml: conditionalDAGYAML, out: ternary(dag), coin: "heads", from: "heads", wantPhase: "Succeeded"},
		{name: "dag, expression, tails", yaml: conditionalDAGYAML, out: ternary(dag), coin: "tails", from: "tails", wantPhase: "Succeeded"},
		{name: "steps, from", yaml: conditionalYAML, out: `from: "{{steps.heads.outputs.artifacts.file}}"`, coin: "heads", from: "heads", wantPhase: "Succeeded"},
		{name: "dag, from", yaml: conditionalDAGYAML, out: `from: "{{tasks.tails.outputs.artifacts.file}}"`, coin: "tails", from: "tails", wantPhase: "Succeeded"},
		{
			name: "steps, expression takes the skipped step", yaml: conditionalYAML, coin: "heads",
			out:       `fromExpression: "steps.tails.outputs.artifacts.file"`,
			wantPhase: "Error", wantMessage: `unable to resolve outputs from scope: artifact "result": fromExpression "steps.tails.outputs.artifacts.file" gives nothing: a skipped or omitted step's or task's artifact, or one that does not exist`,
		},
		{
			name: "steps, from names the skipped step", yaml: conditionalYAML, coin: "heads",
			out:       `from: "{{steps.tails.outputs.artifacts.file}}"`,
			wantPhase: "Error", wantMessage: `failed to resolve {{steps.tails.outputs.artifacts.file}} for output artifact "result"`,
		},
		{
			name: "dag, expression takes the skipped task", yaml: conditionalDAGYAML, coin: "tails",
			out:       `fromExpression: "tasks.heads.outputs.artifacts.file"`,
			wantPhase: "Error", wantMessage: `unable to resolve outputs from scope: artifact "result": fromExpression "tasks.heads.outputs.artifacts.file" gives nothing: a skipped or omitted step's or task's artifact, or one that does not exist`,
		},
		{
			name: "an optional artifact that resolves to nothing is left out", yaml: conditionalYAML, coin: "heads",
			out:       "optional: true\n        from: \"{{steps.tails.outputs.artifacts.file}}\"",
			wantPhase: "Succeeded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A steps caller names its children by group, a dag's by task.
			mainNode, readNode := ".main", ".read"
			if tt.yaml == conditionalYAML {
				mainNode, readNode = "[0].main", "[1].read"
			}
			run, main := runCoin(t, strings.Replace(tt.yaml, "$OUT", tt.out, 1), tt.coin, mainNode)
			var want []compile.StoredArtifact
			if tt.from != "" {
				var producer string
				for node, job := range run.jobs {
					if job.Annotations[compile.AnnotationTemplate] == tt.from {
						producer = ArtifactsConfigMapName(run.jobs[node].Name)
					}
				}
				want = []compile.StoredArtifact{storedFile("file", producer)}
				want[0].Name = "result" // main's name for it
			}
			var got []compile.StoredArtifact
			if main.Outputs != nil {
				got = main.Outputs.Artifacts
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("main's output artifacts (-want +got):\n%s", diff)
			}
			if string(main.Phase) != tt.wantPhase || main.Message != tt.wantMessage {
				t.Errorf("main is %s %q, want %s %q", main.Phase, main.Message, tt.wantPhase, tt.wantMessage)
			}
			if tt.from == "" {
				return
			}
			if diff := cmp.Diff([]string{want[0].ConfigMap}, mountedConfigMaps(run.jobs[strings.TrimSuffix(main.Name, mainNode)+readNode])); diff != "" {
				t.Errorf("read mounts (-want +got):\n%s", diff)
			}
		})
	}
}

const argumentExpressionYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flip-coin, template: flip-coin}
    - - {name: heads, template: heads, when: "{{steps.flip-coin.outputs.result}} == heads"}
      - {name: tails, template: tails, when: "{{steps.flip-coin.outputs.result}} == tails"}
    - - name: read
        template: read
        arguments: {artifacts: [{name: in, fromExpression: "$EXPR"}]}
  - name: flip-coin
    container: {image: busybox, command: [flip]}
  - name: heads
    container: {image: busybox, command: [heads]}
    outputs: {artifacts: [{name: file, path: /result.txt}]}
  - name: tails
    container: {image: busybox, command: [tails]}
    outputs: {artifacts: [{name: file, path: /result.txt}]}
  - name: read
    inputs: {artifacts: [{name: in, path: /in}]}
    container: {image: busybox, command: [cat, /in]}
`

// TestArgumentFromExpression: a step's artifact argument given by
// fromExpression is the artifact the expression takes, mounted in the
// step's pod; one that takes a skipped step's is the step's error.
func TestArgumentFromExpression(t *testing.T) {
	const ternary = "steps['flip-coin'].outputs.result == 'heads' ? steps.heads.outputs.artifacts.file : steps.tails.outputs.artifacts.file"
	tests := []struct {
		name, expr, coin string
		// from is the template whose artifact read gets, "" for none.
		from, wantPhase, wantMessage string
	}{
		{name: "heads", expr: ternary, coin: "heads", from: "heads", wantPhase: "Succeeded"},
		{name: "tails", expr: ternary, coin: "tails", from: "tails", wantPhase: "Succeeded"},
		{
			name: "takes the skipped step", expr: "steps.tails.outputs.artifacts.file", coin: "heads",
			wantPhase: "Error", wantMessage: `artifact "in": fromExpression "steps.tails.outputs.artifacts.file" gives nothing: a skipped or omitted step's or task's artifact, or one that does not exist`,
		},
		{
			name: "gives no artifact", expr: "steps['flip-coin'].outputs.result", coin: "heads",
			wantPhase: "Error", wantMessage: `artifact "in": fromExpression "steps['flip-coin'].outputs.result" names no output artifact`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, read := runCoin(t, strings.Replace(argumentExpressionYAML, "$EXPR", tt.expr, 1), tt.coin, "[2].read")
			if string(read.Phase) != tt.wantPhase || read.Message != tt.wantMessage {
				t.Errorf("read is %s %q, want %s %q", read.Phase, read.Message, tt.wantPhase, tt.wantMessage)
			}
			var want []string
			for _, job := range run.jobs {
				if tt.from != "" && job.Annotations[compile.AnnotationTemplate] == tt.from {
					want = []string{ArtifactsConfigMapName(job.Name)}
				}
			}
			if diff := cmp.Diff(want, mountedConfigMaps(run.jobs[read.Name])); diff != "" {
				t.Errorf("read mounts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOptionalArtifactOfASkippedStep: a skipped step's artifact passed to
// an optional input places no file, as Argo omits it; to a required one
// it is the node's error.
func TestOptionalArtifactOfASkippedStep(t *testing.T) {
	for _, tt := range []struct {
		name, optional, wantPhase, wantMessage string
	}{
		{name: "optional", optional: "true", wantPhase: "Succeeded"},
		{name: "required", optional: "false", wantPhase: "Error", wantMessage: "failed to resolve {{steps.tails.outputs.artifacts.file}}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(argumentExpressionYAML, `fromExpression: "$EXPR"`, `from: "{{steps.tails.outputs.artifacts.file}}"`, 1)
			src = strings.Replace(src, "inputs: {artifacts: [{name: in, path: /in}]}", "inputs: {artifacts: [{name: in, path: /in, optional: "+tt.optional+"}]}", 1)
			run, read := runCoin(t, src, "heads", "[2].read")
			if string(read.Phase) != tt.wantPhase || read.Message != tt.wantMessage {
				t.Fatalf("read is %+v, want %s %q", read, tt.wantPhase, tt.wantMessage)
			}
			if got := mountedConfigMaps(run.jobs[read.Name]); got != nil {
				t.Errorf("read mounts %v, want none", got)
			}
		})
	}
}
