package compile

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// placedArtifact is what a pod gets of one raw artifact: the file's path,
// mode (nil: the kubelet's 0644) and content.
type placedArtifact struct {
	Path string
	Mode *int32
	Data string
}

// placedArtifacts reads back the raw artifacts a node's Job mounts in its
// main container, from the Job and the node's ConfigMap.
func placedArtifacts(t *testing.T, plan *Plan, job string) []placedArtifact {
	t.Helper()
	var pod *corev1.PodSpec
	for _, j := range plan.Jobs {
		if j.Name == job {
			pod = &j.Spec.Template.Spec
		}
	}
	if pod == nil {
		t.Fatalf("no Job %s in the plan", job)
	}
	var vol *corev1.ConfigMapVolumeSource
	for _, v := range pod.Volumes {
		if v.Name == ArtifactsVolumeName {
			vol = v.ConfigMap
		}
	}
	var out []placedArtifact
	for _, m := range pod.Containers[0].VolumeMounts {
		if m.Name != ArtifactsVolumeName {
			continue
		}
		if vol == nil || !m.ReadOnly {
			t.Fatalf("mount %+v: no artifacts volume, or not read-only", m)
		}
		p := placedArtifact{Path: m.MountPath}
		for _, item := range vol.Items {
			if item.Path == m.SubPath {
				p.Mode = item.Mode
				p.Data = configMapData(t, plan, vol.Name, item.Key)
			}
		}
		out = append(out, p)
	}
	return out
}

func configMapData(t *testing.T, plan *Plan, name, key string) string {
	t.Helper()
	for _, cm := range plan.ConfigMaps {
		if cm.Name == name {
			if v, ok := cm.Data[key]; ok {
				return v
			}
		}
	}
	t.Fatalf("no key %s in ConfigMap %s", key, name)
	return ""
}

// TestRawArtifacts checks where a raw artifact's data comes from (the
// input's own, a step's, task's or the workflow's argument), how its tags
// resolve, and how the pod gets it.
func TestRawArtifacts(t *testing.T) {
	tests := []struct {
		name, src string
		job       string // whose artifacts are checked; the workflow's own when ""
		want      []placedArtifact
		args      []string // the main container's args, resolved
	}{{
		name: "own raw data, default mode, path variable",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters: [{name: who, value: me}]
      artifacts:
      - name: file
        path: /tmp/file
        raw: {data: "{{workflow.name}} {{inputs.parameters.who}} {{inputs.artifacts.file.path}}\n"}
    container: {image: busybox, command: [cat], args: ["{{inputs.artifacts.file.path}}"]}
`,
		want: []placedArtifact{{Path: "/tmp/file", Data: "wf me /tmp/file\n"}},
		args: []string{"/tmp/file"},
	}, {
		name: "mode in octal, as YAML 1.1 reads 0755",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      artifacts:
      - {name: run, path: /bin/run, mode: 0755, raw: {data: "echo hi"}}
      - {name: secret, path: /etc/secret, mode: 0o400, raw: {data: "s"}}
    container: {image: busybox, command: [/bin/run]}
`,
		want: []placedArtifact{{Path: "/bin/run", Mode: ptr.To[int32](0o755), Data: "echo hi"}, {Path: "/etc/secret", Mode: ptr.To[int32](0o400), Data: "s"}},
	}, {
		name: "a step's argument replaces the input's raw, keeping its path and mode",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters: [{name: greeting, value: hello}]
    steps:
    - - name: passed
        template: show
        arguments:
          artifacts: [{name: file, raw: {data: "{{inputs.parameters.greeting}} from {{workflow.name}}"}}]
  - name: show
    inputs:
      artifacts: [{name: file, path: /in/file, mode: 0600, raw: {data: own}}]
    container: {image: busybox, command: [cat, /in/file]}
`,
		job:  "wf[0].passed",
		want: []placedArtifact{{Path: "/in/file", Mode: ptr.To[int32](0o600), Data: "hello from wf"}},
	}, {
		name: "a task's argument, in a loop",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: t
        template: show
        withItems: [a]
        arguments:
          artifacts: [{name: file, raw: {data: "item {{item}}"}}]
  - name: show
    inputs:
      artifacts: [{name: file, path: /in/file}]
    container: {image: busybox, command: [cat, /in/file]}
`,
		job:  "wf.t(0:a)",
		want: []placedArtifact{{Path: "/in/file", Data: "item a"}},
	}, {
		name: "spec.arguments.artifacts feed the entrypoint",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: n, value: "3"}]
    artifacts: [{name: text, raw: {data: "{{workflow.parameters.n}} lines"}}]
  templates:
  - name: main
    inputs:
      artifacts: [{name: text, path: /inputs/text/data}]
    container: {image: busybox, command: [sh, -c, 'head -n 1 "{{inputs.artifacts.text.path}}"']}
`,
		want: []placedArtifact{{Path: "/inputs/text/data", Data: "3 lines"}},
		args: nil,
	}, {
		name: "an optional artifact given nothing is not placed; its path is still known",
		src: `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      artifacts: [{name: maybe, path: /tmp/maybe, optional: true}]
    container: {image: busybox, command: [sh, -c], args: ["test -e {{inputs.artifacts.maybe.path}}"]}
`,
		want: nil,
		args: []string{"test -e /tmp/maybe"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := compileYAML(t, tt.src, nil)
			node := cmpOr(tt.job, plan.Workflow.Name)
			job := JobName(plan.Workflow.Name, templateOf(t, plan, node), node)
			if d := cmp.Diff(tt.want, placedArtifacts(t, plan, job)); d != "" {
				t.Errorf("artifacts (-want +got):\n%s", d)
			}
			if tt.args != nil {
				for _, j := range plan.Jobs {
					if j.Name == job {
						if d := cmp.Diff(tt.args, j.Spec.Template.Spec.Containers[0].Args); d != "" {
							t.Errorf("args (-want +got):\n%s", d)
						}
					}
				}
			}
			if tt.want == nil && len(plan.ConfigMaps) > 0 {
				t.Errorf("a ConfigMap for a pod with no artifact to place: %v", plan.ConfigMaps[0].Data)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func templateOf(t *testing.T, plan *Plan, node string) string {
	t.Helper()
	for _, n := range plan.Nodes {
		if n.Name == node {
			if n.Deferred != "" {
				t.Fatalf("node %s deferred: %s", node, n.Deferred)
			}
			return n.Template
		}
	}
	t.Fatalf("no node %s in the plan: %+v", node, plan.Nodes)
	return ""
}

// TestRawArtifactsWithScript: a script's source and its raw artifacts
// share the node's ConfigMap; the staging directory shows the script only.
func TestRawArtifactsWithScript(t *testing.T) {
	plan := compileYAML(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      artifacts: [{name: data, path: /tmp/data, raw: {data: "d"}}]
    script: {image: busybox, command: [sh], source: cat /tmp/data}
`, nil)
	if len(plan.ConfigMaps) != 1 {
		t.Fatalf("%d ConfigMaps, want the node's one", len(plan.ConfigMaps))
	}
	want := map[string]string{ScriptDataKey: "cat /tmp/data", ArtifactKey("data"): "d"}
	if d := cmp.Diff(want, plan.ConfigMaps[0].Data); d != "" {
		t.Errorf("ConfigMap data (-want +got):\n%s", d)
	}
	pod := plan.Jobs[0].Spec.Template.Spec
	for _, v := range pod.Volumes {
		if v.Name == ScriptVolumeName {
			if d := cmp.Diff([]corev1.KeyToPath{{Key: ScriptDataKey, Path: ScriptDataKey}}, v.ConfigMap.Items); d != "" {
				t.Errorf("script volume items (-want +got):\n%s", d)
			}
		}
	}
	if d := cmp.Diff([]placedArtifact{{Path: "/tmp/data", Data: "d"}}, placedArtifacts(t, plan, plan.Jobs[0].Name)); d != "" {
		t.Errorf("artifacts (-want +got):\n%s", d)
	}
}

// TestInputArtifactNotSupplied: an input with no source, not optional and
// given no argument is missing, as Argo's "inputs.artifacts.NAME was not
// supplied"; its data never shows as a variable.
func TestInputArtifactVars(t *testing.T) {
	tmpl := &wfv1.Template{Name: "t", Inputs: wfv1.Inputs{Artifacts: []wfv1.Artifact{
		{Name: "given", Path: "/a/{{workflow.name}}"},
		{Name: "needed", Path: "/b"},
	}}, Container: &corev1.Container{Args: []string{"{{inputs.artifacts.given.path}}"}}}
	args := wfv1.Arguments{Artifacts: []wfv1.Artifact{{Name: "given", ArtifactLocation: wfv1.ArtifactLocation{Raw: &wfv1.RawArtifact{Data: "{{x}}"}}}}}
	_, err := InputVars(tmpl, args, Vars{"x": "caller's"}, nil)
	if missing := (*MissingInputsError)(nil); !errors.As(err, &missing) || !slices.Equal(missing.Names, []string{"inputs.artifacts.needed"}) {
		t.Errorf("InputVars error %#v, want the missing inputs.artifacts.needed", err)
	}
	tmpl.Inputs.Artifacts = tmpl.Inputs.Artifacts[:1]
	vars, err := InputVars(tmpl, args, Vars{"x": "caller's"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := Instantiate(tmpl, vars.With(Vars{"workflow.name": "wf"}))
	if got := inst.Inputs.Artifacts[0]; got.Raw == nil || got.Raw.Data != "caller's" || got.Path != "/a/wf" {
		t.Errorf("instantiated artifact %+v, want the argument's data resolved in the caller's scope at /a/wf", got)
	}
	if got := inst.Container.Args[0]; got != "/a/wf" {
		t.Errorf("{{inputs.artifacts.given.path}} = %q, want the resolved path /a/wf", got)
	}
	if out, err := vars.Eval("string(inputs)"); err != nil || strings.Contains(out, "caller's") {
		t.Errorf("expressions see %q (%v), want no artifact data", out, err)
	}
}

// TestRawArtifactDiagnostics: what is not supported is an error at the
// field; what Argo's validator refuses is refused the same way.
func TestRawArtifactDiagnostics(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{{
		name: "repository sources, each at its field",
		body: `  templates:
  - name: main
    inputs:
      artifacts:
      - {name: a, path: /a, s3: {bucket: b, key: k}}
      - {name: b, path: /b, git: {repo: r}}
      - {name: c, path: /c, azure: {container: x}}
    container: {image: busybox}
`,
		want: []string{
			"f.yaml:10:34: not supported: spec.templates[0].inputs.artifacts[0].s3.bucket: kubectl-wf has no artifact repository; only key-only s3 artifacts (s3.key alone) are supported",
			"f.yaml:11:29: not supported: spec.templates[0].inputs.artifacts[1].git: git artifacts are not supported yet; raw, http and key-only s3 artifacts are",
			"f.yaml:12:29: not supported: spec.templates[0].inputs.artifacts[2].azure: azure artifacts are not supported yet; raw, http and key-only s3 artifacts are",
		},
	}, {
		name: "http artifacts are fetched as a container's or script's inputs, with basic auth",
		body: `  templates:
  - name: main
    steps:
    - - name: s
        template: c
        arguments: {artifacts: [{name: a, http: {url: ""}}]}
    inputs:
      artifacts:
      - {name: passed, http: {url: "http://h/p"}}
    outputs:
      artifacts:
      - {name: up, from: "{{steps.s.outputs.artifacts.o}}", http: {url: "http://h/up"}}
  - name: c
    inputs:
      artifacts:
      - name: a
        path: /a
        http:
          url: http://h/a
          headers: [{name: X, value: y}]
          auth:
            basicAuth: {usernameSecret: {name: s, key: u}, passwordSecret: {name: s, key: p}}
    outputs:
      artifacts:
      - {name: o, path: /o, http: {url: "http://h/o"}}
    container: {image: busybox, command: [sh, -c, "true"]}
`,
		want: []string{
			"f.yaml:11:43: artifact \"a\": http.url is required",
			"f.yaml:14:24: not supported: spec.templates[0].inputs.artifacts[0].http: kubectl-wf fetches http input artifacts in container and script templates only; pass it on as an argument",
			"f.yaml:17:61: not supported: spec.templates[0].outputs.artifacts[0].http: kubectl-wf fetches http artifacts as inputs; it uploads no output artifact",
			"f.yaml:30:29: not supported: spec.templates[1].outputs.artifacts[0].http: kubectl-wf fetches http artifacts as inputs; it uploads no output artifact",
		},
	}, {
		name: "http artifacts: basic auth, not client certificates or OAuth2",
		body: `  templates:
  - name: c
    inputs:
      artifacts:
      - name: a
        path: /a
        http:
          url: http://h/a
          auth:
            clientCert: {clientCertSecret: {name: s, key: c}}
            oauth2: {clientIDSecret: {name: s, key: i}}
    container: {image: busybox}
`,
		want: []string{
			"f.yaml:15:13: not supported: spec.templates[0].inputs.artifacts[0].http.auth.clientCert: client certificates for http artifacts are not supported yet; use basicAuth or headers",
			"f.yaml:16:13: not supported: spec.templates[0].inputs.artifacts[0].http.auth.oauth2: OAuth2 for http artifacts is not supported yet; use basicAuth or headers",
		},
	}, {
		name: "subPath selects part of an artifact passed with from; archive changes nothing",
		body: `  templates:
  - name: main
    inputs:
      artifacts:
      - {name: d, path: /d, raw: {data: x}, subPath: s}
      - {name: e, path: /e, raw: {data: x}, archive: {none: {}}}
    container: {image: busybox}
`,
		want: []string{
			"f.yaml:10:54: not supported: spec.templates[0].inputs.artifacts[0].subPath: kubectl-wf applies subPath to an artifact passed with from only",
		},
	}, {
		name: "output artifacts: repository sources at their field; globalName is supported",
		body: `  templates:
  - name: main
    outputs:
      artifacts: [{name: a, path: /a, s3: {endpoint: e, key: k}, globalName: g}]
    container: {image: busybox, command: ["true"]}
`,
		want: []string{
			"f.yaml:9:44: not supported: spec.templates[0].outputs.artifacts[0].s3.endpoint: kubectl-wf has no artifact repository; only key-only s3 artifacts (s3.key alone) are supported",
		},
	}, {
		name: "a memoized template's artifacts would not outlive its workflow",
		body: `  templates:
  - name: main
    memoize: {key: k, cache: {configMap: {name: c}}}
    outputs:
      artifacts: [{name: a, path: /a}]
    container: {image: busybox, command: ["true"]}
`,
		want: []string{
			"f.yaml:8:5: not supported: spec.templates[0].memoize: a memoized template's output artifacts would be gone with the workflow that saved them; kubectl-wf memoizes templates without output artifacts",
		},
	}, {
		name: "a memo hit gives back no artifact a steps or dag template takes from a child",
		body: `  templates:
  - name: main
    memoize: {key: k, cache: {configMap: {name: c}}}
    outputs:
      artifacts: [{name: a, from: "{{steps.gen.outputs.artifacts.a}}"}]
    steps:
    - - {name: gen, template: gen}
  - name: d
    memoize: {key: k, cache: {configMap: {name: c}}}
    outputs:
      parameters: [{name: p, valueFrom: {parameter: "{{tasks.gen.outputs.parameters.p}}"}}]
      artifacts: [{name: b, fromExpression: "tasks.gen.outputs.artifacts.a"}]
    dag:
      tasks: [{name: gen, template: gen}]
  - name: params-only
    memoize: {key: k, cache: {configMap: {name: c}}}
    outputs:
      parameters: [{name: p, valueFrom: {parameter: "{{tasks.gen.outputs.parameters.p}}"}}]
    dag:
      tasks: [{name: gen, template: gen}]
  - name: gen
    outputs:
      parameters: [{name: p, valueFrom: {path: /p}}]
      artifacts: [{name: a, path: /a}]
    container: {image: busybox, command: ["true"]}
`,
		want: []string{
			"f.yaml:8:5: not supported: spec.templates[0].memoize: a memo hit gives back output parameters only, not output artifacts, and outputs.artifacts[0] (a) takes a child's; kubectl-wf memoizes steps and dag templates without output artifacts",
			"f.yaml:14:5: not supported: spec.templates[1].memoize: a memo hit gives back output parameters only, not output artifacts, and outputs.artifacts[0] (b) takes a child's; kubectl-wf memoizes steps and dag templates without output artifacts",
		},
	}, {
		name: "output artifacts need a container's command and a path, and a container or script",
		body: `  templates:
  - name: main
    outputs:
      artifacts: [{name: a, path: /a}, {name: b}, {name: c, path: rel}]
    container: {image: busybox}
  - name: s
    outputs:
      artifacts: [{name: a, path: /a}]
    suspend: {}
`,
		want: []string{
			"f.yaml:9:35: not supported: spec.templates[0].outputs.artifacts[0].path: kubectl-wf saves an output artifact of a container with no command from an emptyDir it mounts at the artifact's directory, seeded from the image, which cannot be / (/a); give the container a command, or put the artifact on a volume it mounts",
			"f.yaml:9:40: output artifact \"b\" did not specify a path",
			"f.yaml:9:67: output artifact \"c\": path \"rel\" must be absolute",
			"f.yaml:13:7: not supported: spec.templates[1].outputs.artifacts: kubectl-wf saves output artifacts of container, script and containerSet templates, and takes them from children in steps and dag templates, not in suspend templates",
		},
	}, {
		name: "a container with no command saves artifacts off volumes from its directories, which nothing else is mounted over",
		body: `  templates:
  - name: main
    inputs:
      parameters: [{name: x, value: y}]
      artifacts: [{name: in, path: /in/file, raw: {data: x}}, {name: dir, path: /out/dir/sub, raw: {data: x}}]
    outputs:
      parameters: [{name: p, valueFrom: {path: /mnt/file}}]
      artifacts: [{name: a, path: /mnt/file}, {name: b, path: /mnt/deep/er/b}, {name: c, path: /in/other}, {name: d, path: /out/dir}, {name: e, path: "/{{inputs.parameters.x}}"}]
    container: {image: busybox, args: [echo]}
  - name: script
    outputs:
      artifacts: [{name: a, path: /tmp/a}]
    script: {image: busybox, source: echo}
`,
		want: []string{
			"f.yaml:13:35: not supported: spec.templates[0].outputs.artifacts[0].path: kubectl-wf saves an output artifact of a container with no command from an emptyDir it mounts at the artifact's directory, seeded from the image; the kubelet mounts the output parameter's file /mnt/file, the container's termination message, over it; give the container a command, or put the artifact on a volume it mounts",
			"f.yaml:13:124: not supported: spec.templates[0].outputs.artifacts[3].path: kubectl-wf saves an output artifact of a container with no command from an emptyDir it mounts at the artifact's directory, seeded from the image; input artifact \"dir\", mounted at /out/dir/sub, would not be in it; give the container a command, or put the artifact on a volume it mounts",
			"f.yaml:17:7: not supported: spec.templates[1].outputs.artifacts: kubectl-wf saves an output artifact that is not on a volume by running the script's command under its executor; give the script a command, or put the artifact on a volume it mounts",
		},
	}, {
		name: "output artifacts on volumes need no command",
		body: `  templates:
  - name: main
    volumes: [{name: v, emptyDir: {}}]
    outputs:
      artifacts: [{name: a, path: /v/a}, {name: b, path: /v}, {name: c, path: /vol/c, optional: true}]
    container: {image: busybox, volumeMounts: [{name: v, mountPath: /v/}, {name: v, mountPath: /vol}]}
`,
	}, {
		name: "a containerSet saves output artifacts from main's volumes",
		body: `  templates:
  - name: main
    volumes: [{name: w, emptyDir: {}}, {name: m, emptyDir: {}}]
    outputs:
      artifacts: [{name: a, path: /w/a}, {name: b, path: /m/b}, {name: c, path: /tmp/c}, {name: d, path: /other/d}]
    containerSet:
      volumeMounts: [{name: w, mountPath: /w}]
      containers:
      - {name: main, image: busybox, volumeMounts: [{name: m, mountPath: /m}]}
      - {name: other, image: busybox, volumeMounts: [{name: m, mountPath: /other}]}
  - name: no-main
    volumes: [{name: w, emptyDir: {}}]
    outputs:
      artifacts: [{name: a, path: /w/a}]
    containerSet:
      volumeMounts: [{name: w, mountPath: /w}]
      containers: [{name: a, image: busybox}]
`,
		want: []string{
			"f.yaml:10:81: not supported: spec.templates[0].outputs.artifacts[2].path: kubectl-wf saves a containerSet's output artifacts from the volumes its main container mounts; /tmp/c is on none",
			"f.yaml:10:106: not supported: spec.templates[0].outputs.artifacts[3].path: kubectl-wf saves a containerSet's output artifacts from the volumes its main container mounts; /other/d is on none",
			"f.yaml:19:7: containerSet templates with output artifacts must have a container named main",
		},
	}, {
		name: "paths and modes",
		body: `  templates:
  - name: main
    inputs:
      artifacts:
      - {name: a, raw: {data: x}}
      - {name: b, path: /tmp/x/../../etc/passwd, raw: {data: x}}
      - {name: c, path: relative, raw: {data: x}}
      - {name: d, path: /d, mode: 01755, raw: {data: x}}
      - {name: e, path: /vol, raw: {data: x}}
      - {name: e, path: /e, raw: {data: x}}
    container: {image: busybox, volumeMounts: [{name: v, mountPath: /vol}]}
    volumes: [{name: v, emptyDir: {}}]
`,
		want: []string{
			`f.yaml:10:9: input artifact "a" did not specify a path`,
			`f.yaml:11:25: input artifact "b" attempted to use a path containing '..'. Directory traversal is not permitted`,
			`f.yaml:12:25: input artifact "c": path "relative" must be absolute: kubectl-wf mounts the file there`,
			"f.yaml:13:35: not supported: spec.templates[0].inputs.artifacts[3].mode: 01755: kubectl-wf gives the file its mode through a ConfigMap volume, which takes permission bits only (0 to 0777)",
			"f.yaml:14:25: templates.main.inputs.artifacts[4].path '/vol' already mounted in container.volumeMounts.v",
			`f.yaml:15:16: artifact "e" is given twice`,
		},
	}, {
		name: "not supplied, by a step or to the entrypoint",
		body: `  arguments:
    artifacts: [{name: nothing}]
  templates:
  - name: main
    inputs:
      artifacts: [{name: in, path: /in}]
    steps:
    - - name: s
        template: leaf
  - name: leaf
    inputs:
      artifacts: [{name: in, path: /in}, {name: opt, path: /opt, optional: true}]
    container: {image: busybox}
`,
		want: []string{
			`f.yaml:5:15: entrypoint template "main" needs input artifact "in", which is not passed in arguments (inputs.artifacts.in was not supplied)`,
			`f.yaml:7:17: artifact "nothing": from, artifact location, or key is required`,
			"f.yaml:11:36: templates.main.inputs.artifacts.in.path only valid in container/script templates",
			`f.yaml:13:9: template "leaf" needs input artifact "in", which is not passed in arguments (inputs.artifacts.in was not supplied)`,
		},
	}, {
		name: "variables",
		body: `  templates:
  - name: main
    inputs:
      artifacts: [{name: a, path: /a, raw: {data: x}}]
    container:
      image: busybox
      args: ["{{inputs.artifacts.a}}", "{{inputs.artifacts.b.path}}", "{{inputs.artifacts.a.size}}"]
`,
		want: []string{
			"f.yaml:12:14: not supported: {{inputs.artifacts.a}}: kubectl-wf gives an input artifact itself to a steps or dag template, which passes it on with from; {{inputs.artifacts.a.path}} is its path",
			`f.yaml:12:40: {{inputs.artifacts.b.path}}: template "main" has no input artifact "b"`,
			"f.yaml:12:71: {{inputs.artifacts.a.size}}: unknown variable; an input artifact gives {{inputs.artifacts.a.path}}",
		},
	}, {
		name: "other template types",
		body: `  templates:
  - name: main
    inputs:
      artifacts: [{name: a, path: /a, raw: {data: x}}]
    resource: {action: create, manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n"}
`,
		want: []string{"f.yaml:9:7: not supported: spec.templates[0].inputs.artifacts: kubectl-wf places input artifacts in container and script templates only, not in resource templates"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDiagnostics(t, lintHead+tt.body, tt.want)
		})
	}
}

// TestJoinArtifactArguments: a WorkflowTemplate's spec.arguments.artifacts
// reach a workflow that references it, the workflow's own winning by
// name, as Argo merges arguments.
func TestJoinArtifactArguments(t *testing.T) {
	raw := func(name, data string) wfv1.Artifact {
		return wfv1.Artifact{Name: name, ArtifactLocation: wfv1.ArtifactLocation{Raw: &wfv1.RawArtifact{Data: data}}}
	}
	own := &wfv1.WorkflowSpec{Arguments: wfv1.Arguments{Artifacts: []wfv1.Artifact{raw("a", "workflow's")}}}
	tmpl := &wfv1.WorkflowSpec{Arguments: wfv1.Arguments{Artifacts: []wfv1.Artifact{raw("a", "template's"), raw("b", "template's")}}}
	got, err := JoinWorkflowSpec(own, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	want := []wfv1.Artifact{raw("a", "workflow's"), raw("b", "template's")}
	if d := cmp.Diff(want, got.Arguments.Artifacts); d != "" {
		t.Errorf("artifacts (-want +got):\n%s", d)
	}
}
