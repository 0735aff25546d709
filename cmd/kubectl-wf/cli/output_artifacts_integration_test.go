package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// outputArtifactsWorkflow saves a directory, a file and an optional
// artifact that is never written from one script, and passes them on to
// DAG tasks whole, in part (subPath) and as a file.
const outputArtifactsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: output-artifacts}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: gen, template: gen}
      - name: whole
        depends: gen
        template: read
        arguments: {artifacts: [{name: in, from: "{{tasks.gen.outputs.artifacts.dir}}"}]}
      - name: part
        depends: gen
        template: read
        arguments: {artifacts: [{name: in, from: "{{tasks.gen.outputs.artifacts.dir}}", subPath: sub/run.sh}]}
      - name: file
        depends: gen
        template: read
        arguments: {artifacts: [{name: in, from: "{{tasks.gen.outputs.artifacts.file}}"}]}
      - name: result
        depends: gen
        template: echo
        arguments: {parameters: [{name: m, value: "result: {{tasks.gen.outputs.result}}"}]}
  - name: gen
    script:
      image: busybox
      command: [sh]
      source: |
        mkdir -p /out/sub
        echo a > /out/a.txt
        printf '#!/bin/sh\necho run\n' > /out/sub/run.sh
        chmod 755 /out/sub/run.sh
        echo "from the script" > /tmp/f
        echo "stdout is the result"
    outputs:
      artifacts:
      - {name: dir, path: /out}
      - {name: file, path: /tmp/f}
      - {name: absent, path: /nowhere, optional: true}
  - name: read
    inputs: {artifacts: [{name: in, path: /in}]}
    container:
      image: busybox
      command: [sh, -c]
      args: ['if [ -d /in ]; then cd /in && find . -type f | sort | while read f; do echo "$f $(stat -L -c %a "$f") $(head -1 "$f")"; done; else echo "file $(stat -L -c %a /in) $(head -1 /in)"; fi']
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`

// missingArtifactWorkflow's step succeeds but leaves no artifact.
const missingArtifactWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: missing-artifact}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
    outputs: {artifacts: [{name: report, path: /tmp/report.txt}]}
`

// takenArtifactWorkflow's steps template pick exports the artifact of the
// child its fromExpression takes, and globally; the exit handler takes
// that global one and the one write exports itself.
const takenArtifactWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: taken-artifact}
spec:
  entrypoint: main
  onExit: exit
  templates:
  - name: main
    steps:
    - - {name: pick, template: pick}
    - - name: read
        template: read
        arguments: {artifacts: [{name: in, from: "{{steps.pick.outputs.artifacts.chosen}}"}]}
  - name: pick
    steps:
    - - {name: flip, template: flip}
    - - name: heads
        template: write
        when: "{{steps.flip.outputs.result}} == heads"
        arguments: {parameters: [{name: m, value: heads}]}
      - name: tails
        template: write
        when: "{{steps.flip.outputs.result}} == tails"
        arguments: {parameters: [{name: m, value: tails}]}
    outputs:
      artifacts:
      - name: chosen
        fromExpression: "steps.flip.outputs.result == 'heads' ? steps.heads.outputs.artifacts.out : steps.tails.outputs.artifacts.out"
        globalName: chosen
  - name: flip
    container: {image: busybox, command: [echo, heads]}
  - name: write
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [sh, -c, "echo it was {{inputs.parameters.m}} > /tmp/out"]}
    outputs: {artifacts: [{name: out, path: /tmp/out, globalName: written}]}
  - name: read
    inputs: {artifacts: [{name: in, path: /in}]}
    container: {image: busybox, command: [cat, /in]}
  - name: exit
    steps:
    - - name: chosen
        template: read
        arguments: {artifacts: [{name: in, from: "{{workflow.outputs.artifacts.chosen}}"}]}
      - name: written
        template: read
        arguments: {artifacts: [{name: in, from: "{{workflow.outputs.artifacts.written}}"}]}
`

// volumeArtifactsWorkflow saves artifacts and an output parameter from
// volumes, written by containers that keep their image's entrypoint: a
// containerSet's other container, as Argo's workspace example, and a
// container with no command.
const volumeArtifactsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: volume-artifacts}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: set, template: set}
      - {name: entrypoint, template: entrypoint}
    - - name: read-set
        template: read
        arguments:
          parameters: [{name: m, value: "param {{steps.set.outputs.parameters.out}}"}]
          artifacts: [{name: in, from: "{{steps.set.outputs.artifacts.out}}"}]
      - name: read-entrypoint
        template: read
        arguments:
          parameters: [{name: m, value: entrypoint}]
          artifacts: [{name: in, from: "{{steps.entrypoint.outputs.artifacts.out}}"}]
  - name: set
    volumes: [{name: workspace, emptyDir: {}}]
    containerSet:
      volumeMounts: [{name: workspace, mountPath: /workspace}]
      containers:
      - {name: a, image: argoproj/argosay:v2, args: [echo, from a, /workspace/out]}
      - {name: main, image: argoproj/argosay:v2, args: [echo, main]}
    outputs:
      parameters: [{name: out, valueFrom: {path: /workspace/out}}]
      artifacts: [{name: out, path: /workspace/out}]
  - name: entrypoint
    volumes: [{name: data, emptyDir: {}}]
    container:
      image: argoproj/argosay:v2
      args: [echo, no command, /data/out]
      volumeMounts: [{name: data, mountPath: /data}]
    outputs:
      artifacts: [{name: out, path: /data/out}]
  - name: read
    inputs:
      parameters: [{name: m}]
      artifacts: [{name: in, path: /in}]
    container: {image: busybox, command: [sh, -c, 'echo "{{inputs.parameters.m}}: $(cat /in)"']}
`

// noCommandArtifactsWorkflow saves artifacts that containers with no
// command write into a directory of their image, off their volumes, as
// root and as nobody: each reads a file the image has in that directory,
// which fails its step unless the seed kept it in sight.
const noCommandArtifactsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: no-command}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: root, template: root}
      - {name: nobody, template: nobody}
    - - name: read-root
        template: read
        arguments:
          parameters: [{name: m, value: root}]
          artifacts: [{name: in, from: "{{steps.root.outputs.artifacts.out}}"}]
      - name: read-nobody
        template: read
        arguments:
          parameters: [{name: m, value: nobody}]
          artifacts: [{name: in, from: "{{steps.nobody.outputs.artifacts.out}}"}]
  - name: root
    container: {image: busybox, args: [sh, -c, 'head -1 /etc/passwd > /etc/first-user']}
    outputs:
      artifacts: [{name: out, path: /etc/first-user}]
  - name: nobody
    container:
      image: busybox
      args: [sh, -c, 'mkdir /etc/sub && grep nogroup /etc/group > /etc/sub/groups']
      securityContext: {runAsUser: 65534, runAsGroup: 65534}
    outputs:
      artifacts: [{name: out, path: /etc/sub/groups}, {name: passwd, path: /etc/passwd}]
  - name: read
    inputs:
      parameters: [{name: m}]
      artifacts: [{name: in, path: /in}]
    container: {image: busybox, command: [sh, -c, 'echo "{{inputs.parameters.m}}: $(cat /in)"']}
`

// TestOutputArtifactsOnCluster: artifacts a pod saves reach the pods that
// take them, as files with their modes, whole, in part or as one file;
// the executor leaves the step's output alone; a required artifact that
// was not written fails its node.
func TestOutputArtifactsOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	tests := []struct {
		name, file string
		phase      watch.Phase
		want       []string // lines of the logs, each after its node's name
		globals    []string // the workflow's output artifacts
	}{{
		name:  "fixture",
		file:  filepath.Join(fixturesDir, "artifact-passing.yaml"),
		phase: watch.Succeeded,
		want:  []string{".consume: ok"},
	}, {
		name:  "dag",
		file:  writeTemp(t, outputArtifactsWorkflow),
		phase: watch.Succeeded,
		want: []string{
			".whole: ./a.txt 644 a",
			".whole: ./sub/run.sh 755 #!/bin/sh",
			".part: file 755 #!/bin/sh",
			".file: file 644 from the script",
			".result: result: stdout is the result",
		},
	}, {
		name:  "taken by a steps template and global",
		file:  writeTemp(t, takenArtifactWorkflow),
		phase: watch.Succeeded,
		want: []string{
			"taken-artifact[1].read: it was heads",
			"taken-artifact.onExit[0].chosen: it was heads",
			"taken-artifact.onExit[0].written: it was heads",
		},
		globals: []string{"written", "chosen"},
	}, {
		name:  "on volumes",
		file:  writeTemp(t, volumeArtifactsWorkflow),
		phase: watch.Succeeded,
		want: []string{
			"volume-artifacts[1].read-set: param from a: from a",
			"volume-artifacts[1].read-entrypoint: entrypoint: no command",
		},
	}, {
		name:  "no command",
		file:  writeTemp(t, noCommandArtifactsWorkflow),
		phase: watch.Succeeded,
		want: []string{
			"no-command[1].read-root: root: root:x:0:0:root:/root:/bin/sh",
			"no-command[1].read-nobody: nobody: nogroup:x:65534:",
		},
	}, {
		name:  "missing",
		file:  writeTemp(t, missingArtifactWorkflow),
		phase: watch.Error,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testcluster.Namespace(t, cs)
			code, out, errOut := onCluster(t, ns, "submit", tt.file)
			if tt.phase == watch.Succeeded && code != 0 {
				t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			doc := getJSON(t, ns, submitted(t, out))
			if doc.Status.Phase != tt.phase {
				t.Fatalf("phase %s (%s), want %s", doc.Status.Phase, doc.Status.Message, tt.phase)
			}
			if tt.phase != watch.Succeeded {
				n := nodeByName(doc, "missing-artifact")
				if n == nil || n.Phase != watch.Error || !strings.HasPrefix(n.Message, "failed to save outputs: ") || !strings.Contains(n.Message, "/tmp/report.txt") {
					t.Errorf("node = %+v, want Error: failed to save outputs: … /tmp/report.txt …", n)
				}
				return
			}
			var globals []string
			if doc.Status.Outputs != nil {
				for _, a := range doc.Status.Outputs.Artifacts {
					globals = append(globals, a.Name)
				}
			}
			if diff := cmp.Diff(tt.globals, globals); diff != "" {
				t.Errorf("workflow output artifacts (-want +got):\n%s", diff)
			}
			logs := logsOf(t, ns, doc.Name)
			for _, line := range tt.want {
				if !strings.Contains(logs, line+"\n") {
					t.Errorf("logs lack %q:\n%s", line, logs)
				}
			}
		})
	}
}
