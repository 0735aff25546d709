package compile

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// savedArtifacts are what map-reduce's nodes save: split a directory of
// parts under a key with a trailing '/', each map one file under results/,
// one of them twice (a retry: the later one counts).
var savedArtifacts = []StoredArtifact{
	{Name: "parts", ConfigMap: "split-artifacts", Dir: true, Key: "wf/parts/", Files: []StoredFile{
		{Key: "parts.0", Path: "0.json", Mode: 0o644}, {Key: "parts.1", Path: "1.json", Mode: 0o644}, {Key: "parts.2", Path: "sub/2.json", Mode: 0o600}}},
	{Name: "part", ConfigMap: "map-0-artifacts", Key: "wf/results/0.json", Files: []StoredFile{{Key: "part.0", Mode: 0o644}}},
	{Name: "part", ConfigMap: "map-1-artifacts", Key: "wf/results/1.json", Files: []StoredFile{{Key: "part.0", Mode: 0o644}}},
	{Name: "part", ConfigMap: "map-1-retried-artifacts", Key: "wf/results/1.json", Files: []StoredFile{{Key: "part.0", Mode: 0o600}}},
	{Name: "unkeyed", ConfigMap: "other-artifacts", Files: []StoredFile{{Key: "unkeyed.0", Mode: 0o644}}},
}

func TestArtifactKeysFind(t *testing.T) {
	keys := NewArtifactKeys(savedArtifacts)
	for _, tc := range []struct {
		name, key string
		want      StoredArtifact
		wantOK    bool
	}{
		{name: "a file artifact at its key", key: "wf/results/0.json", wantOK: true,
			want: StoredArtifact{Name: "in", ConfigMap: "map-0-artifacts", Files: []StoredFile{{Key: "part.0", Mode: 0o644}}}},
		{name: "the later of two at one key", key: "wf/results/1.json", wantOK: true,
			want: StoredArtifact{Name: "in", ConfigMap: "map-1-retried-artifacts", Files: []StoredFile{{Key: "part.0", Mode: 0o600}}}},
		{name: "a file in a directory saved at a prefix", key: "wf/parts/1.json", wantOK: true,
			want: StoredArtifact{Name: "in", ConfigMap: "split-artifacts", Files: []StoredFile{{Key: "parts.1", Mode: 0o644}}}},
		{name: "a directory saved at the key, written without its '/'", key: "wf/parts", wantOK: true,
			want: StoredArtifact{Name: "in", ConfigMap: "split-artifacts", Dir: true, Files: []StoredFile{
				{Key: "parts.0", Path: "0.json", Mode: 0o644}, {Key: "parts.1", Path: "1.json", Mode: 0o644}, {Key: "parts.2", Path: "sub/2.json", Mode: 0o600}}}},
		{name: "a directory within a saved directory", key: "wf/parts/sub/", wantOK: true,
			want: StoredArtifact{Name: "in", ConfigMap: "split-artifacts", Dir: true, Files: []StoredFile{{Key: "parts.2", Path: "2.json", Mode: 0o600}}}},
		{name: "a directory of files several nodes saved", key: "wf/results", wantOK: true,
			want: StoredArtifact{Name: "in", ConfigMap: "map-0-artifacts", Dir: true, Files: []StoredFile{
				{Key: "part.0", Path: "0.json", Mode: 0o644}, {Key: "part.0", Path: "1.json", Mode: 0o600, ConfigMap: "map-1-retried-artifacts"}}}},
		{name: "everything under the workflow's name", key: "./wf//", wantOK: true,
			want: StoredArtifact{Name: "in", ConfigMap: "split-artifacts", Dir: true, Files: []StoredFile{
				{Key: "parts.0", Path: "parts/0.json", Mode: 0o644}, {Key: "parts.1", Path: "parts/1.json", Mode: 0o644},
				{Key: "parts.2", Path: "parts/sub/2.json", Mode: 0o600},
				{Key: "part.0", Path: "results/0.json", Mode: 0o644, ConfigMap: "map-0-artifacts"},
				{Key: "part.0", Path: "results/1.json", Mode: 0o600, ConfigMap: "map-1-retried-artifacts"}}}},
		{name: "a prefix of a name is not a directory", key: "wf/res"},
		{name: "no such key", key: "wf/total.json"},
		{name: "an artifact saved without a key", key: "unkeyed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := keys.FindKey("in", tc.key)
			if ok != tc.wantOK {
				t.Fatalf("FindKey(%q) found %v, want %v", tc.key, ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("FindKey(%q) (-want +got):\n%s", tc.key, d)
			}
		})
	}
}

// TestKeyedInputVars: an argument's key resolves in the caller's scope, an
// input's own with the workflow's variables and the template's inputs;
// what it names is placed like an artifact passed with from.
func TestKeyedInputVars(t *testing.T) {
	keyed := func(name, path, key string) wfv1.Artifact {
		a := wfv1.Artifact{Name: name, Path: path}
		if key != "" {
			a.S3 = &wfv1.S3Artifact{Key: key}
		}
		return a
	}
	tmpl := func(in ...wfv1.Artifact) *wfv1.Template {
		return &wfv1.Template{Name: "t", Inputs: wfv1.Inputs{
			Parameters: []wfv1.Parameter{{Name: "id"}},
			Artifacts:  in,
		}, Container: &corev1.Container{Image: "busybox"}}
	}
	scope := Vars{"workflow.name": "wf", "item": "0", "inputs.parameters.id": "caller's"}
	params := []wfv1.Parameter{{Name: "id", Value: wfv1.ParseAnyString("1")}}
	for _, tc := range []struct {
		name    string
		tmpl    *wfv1.Template
		args    []wfv1.Artifact
		planned bool                      // keys not known: no finder
		want    map[string]StoredArtifact // by input name
		wantErr string                    // the node's message, in Argo's words
		keyErr  bool                      // a *KeyedInputError, which the driver records
	}{{
		name: "an argument's key, in the caller's scope",
		tmpl: tmpl(keyed("part", "/in/part.json", "")),
		args: []wfv1.Artifact{keyed("part", "", "{{workflow.name}}/parts/{{item}}.json")},
		want: map[string]StoredArtifact{"part": {Name: "part", ConfigMap: "split-artifacts", Files: []StoredFile{{Key: "parts.0", Mode: 0o644}}}},
	}, {
		name: "the input's own key, with the template's inputs",
		tmpl: tmpl(keyed("res", "/in", "{{workflow.name}}/results/{{inputs.parameters.id}}.json")),
		want: map[string]StoredArtifact{"res": {Name: "res", ConfigMap: "map-1-retried-artifacts", Files: []StoredFile{{Key: "part.0", Mode: 0o600}}}},
	}, {
		name: "a directory, less its subPath",
		tmpl: tmpl(keyed("d", "/in", "")),
		args: []wfv1.Artifact{{Name: "d", SubPath: "sub", ArtifactLocation: wfv1.ArtifactLocation{S3: &wfv1.S3Artifact{Key: "wf/parts"}}}},
		want: map[string]StoredArtifact{"d": {Name: "d", ConfigMap: "split-artifacts", Dir: true, Files: []StoredFile{{Key: "parts.2", Path: "2.json", Mode: 0o600}}}},
	}, {
		name:    "nothing at the key",
		tmpl:    tmpl(keyed("total", "/in", "{{workflow.name}}/total.json")),
		wantErr: "artifact total failed to load: no key found of name wf/total.json",
		keyErr:  true,
	}, {
		name:    "a subPath not under the key",
		tmpl:    tmpl(keyed("d", "/in", "")),
		args:    []wfv1.Artifact{{Name: "d", SubPath: "nope", ArtifactLocation: wfv1.ArtifactLocation{S3: &wfv1.S3Artifact{Key: "wf/parts"}}}},
		wantErr: `subPath "nope": no such file or directory in artifact "d"`,
		keyErr:  true,
	}, {
		name: "nothing at an optional input's key: no file",
		tmpl: tmpl(wfv1.Artifact{Name: "total", Path: "/in", Optional: true, ArtifactLocation: wfv1.ArtifactLocation{S3: &wfv1.S3Artifact{Key: "wf/total.json"}}}),
		want: map[string]StoredArtifact{},
	}, {
		name: "an optional argument: no file",
		tmpl: tmpl(keyed("total", "/in", "")),
		args: []wfv1.Artifact{{Name: "total", Optional: true, ArtifactLocation: wfv1.ArtifactLocation{S3: &wfv1.S3Artifact{Key: "wf/total.json"}}}},
		want: map[string]StoredArtifact{},
	}, {
		name:    "an unresolved tag",
		tmpl:    tmpl(keyed("part", "/in", "")),
		args:    []wfv1.Artifact{keyed("part", "", "{{tasks.x.outputs.result}}")},
		wantErr: "failed to resolve {{tasks.x.outputs.result}}",
	}, {
		name:    "keys not known yet (a plan)",
		tmpl:    tmpl(keyed("res", "/in", "wf/results")),
		planned: true,
		wantErr: "inputs.artifacts.res was not supplied",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var finder ArtifactFinder
			if !tc.planned {
				finder = NewArtifactKeys(savedArtifacts)
			}
			vars, err := InputVars(tc.tmpl, wfv1.Arguments{Parameters: params, Artifacts: tc.args}, scope, finder)
			if got := errorText(err); got != tc.wantErr {
				t.Fatalf("InputVars error %q, want %q", got, tc.wantErr)
			}
			if keyErr := (*KeyedInputError)(nil); errors.As(err, &keyErr) != tc.keyErr {
				t.Errorf("InputVars error %#v: a *KeyedInputError is %v, want %v", err, !tc.keyErr, tc.keyErr)
			}
			if err != nil {
				return
			}
			inst, m := Instantiate(tc.tmpl, vars)
			if len(m) > 0 {
				t.Fatalf("Instantiate: missing %v", m)
			}
			got := map[string]StoredArtifact{}
			for _, a := range inst.Inputs.Artifacts {
				if a.From == "" {
					continue
				}
				stored, ok := ParseStoredArtifact(a.From)
				if !ok || a.S3 != nil {
					t.Fatalf("input %s: from %q, s3 %v; want a stored artifact and no s3", a.Name, a.From, a.S3)
				}
				got[a.Name] = stored
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("placed artifacts (-want +got):\n%s", d)
			}
		})
	}
}

// TestStoredArtifactPlacement: a ConfigMap volume per ConfigMap the files
// are in, each file mounted from its own.
func TestStoredArtifactPlacement(t *testing.T) {
	n := 0
	name := func() string { n++; return "v" + string(rune('0'+n)) }
	for _, tc := range []struct {
		name        string
		in          StoredArtifact
		wantVolumes []corev1.Volume
		wantMounts  []corev1.VolumeMount
	}{{
		name:        "a file",
		in:          StoredArtifact{Name: "f", ConfigMap: "cm", Files: []StoredFile{{Key: "f.0", Mode: 0o600}}},
		wantVolumes: []corev1.Volume{configMapVolume("v1", "cm", corev1.KeyToPath{Key: "f.0", Path: storedFileName, Mode: ptr.To[int32](0o600)})},
		wantMounts:  []corev1.VolumeMount{{Name: "v1", MountPath: "/in/f", SubPath: storedFileName, ReadOnly: true}},
	}, {
		name: "a directory of two ConfigMaps",
		in: StoredArtifact{Name: "d", ConfigMap: "a", Dir: true, Files: []StoredFile{
			{Key: "part.0", Path: "0.json", Mode: 0o644}, {Key: "part.0", Path: "1.json", Mode: 0o644, ConfigMap: "b"},
			{Key: "part.1", Path: "sub/2.json", Mode: 0o600}}},
		wantVolumes: []corev1.Volume{
			configMapVolume("v2", "a", corev1.KeyToPath{Key: "part.0", Path: "0.json", Mode: ptr.To[int32](0o644)}, corev1.KeyToPath{Key: "part.1", Path: "sub/2.json", Mode: ptr.To[int32](0o600)}),
			configMapVolume("v3", "b", corev1.KeyToPath{Key: "part.0", Path: "1.json", Mode: ptr.To[int32](0o644)}),
		},
		wantMounts: []corev1.VolumeMount{
			{Name: "v2", MountPath: "/in/f/0.json", SubPath: "0.json", ReadOnly: true},
			{Name: "v3", MountPath: "/in/f/1.json", SubPath: "1.json", ReadOnly: true},
			{Name: "v2", MountPath: "/in/f/sub/2.json", SubPath: "sub/2.json", ReadOnly: true},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			volumes, mounts := storedArtifactPlacement(name, tc.in, "/in/f")
			if d := cmp.Diff(tc.wantVolumes, volumes); d != "" {
				t.Errorf("volumes (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantMounts, mounts); d != "" {
				t.Errorf("mounts (-want +got):\n%s", d)
			}
		})
	}
}

func configMapVolume(name, configMap string, items ...corev1.KeyToPath) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: configMap}, Items: items}}}
}

// TestOutputArtifactKeys: the Job of a pod that saves key-only artifacts
// names their keys, resolved like their paths.
func TestOutputArtifactKeys(t *testing.T) {
	plan := compileYAML(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters: [{name: id, value: "7"}]
    outputs:
      artifacts:
      - {name: part, path: /out/part.json, s3: {key: "{{workflow.name}}/results/{{inputs.parameters.id}}.json"}}
      - {name: dir, path: /out/dir, s3: {key: "{{workflow.name}}/dir/"}}
      - {name: plain, path: /out/plain}
    container: {image: busybox, command: ["true"]}
`, nil)
	if len(plan.Jobs) != 1 {
		t.Fatalf("%d Jobs, want 1", len(plan.Jobs))
	}
	got := ParseArtifactKeys(plan.Jobs[0].Annotations[AnnotationArtifactKeys])
	want := map[string]string{"part": "wf/results/7.json", "dir": "wf/dir/"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("keys (-want +got):\n%s", d)
	}
}

// TestKeyOnlyArtifactDiagnostics: key-only s3 locations lint clean where
// kubectl-wf resolves them; elsewhere, or without a key, they are errors.
func TestKeyOnlyArtifactDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{{
		name: "outputs and inputs with a path, arguments",
		body: `  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: produce}
      - {name: b, template: consume, depends: a, arguments: {artifacts: [{name: given, s3: {key: "{{workflow.name}}/x"}}]}}
  - name: produce
    outputs:
      artifacts: [{name: x, path: /x, s3: {key: "{{workflow.name}}/x"}}]
    container: {image: busybox, command: ["true"]}
  - name: consume
    inputs:
      artifacts:
      - {name: given, path: /given}
      - {name: own, path: /own, s3: {key: "{{workflow.name}}/x"}}
    container: {image: busybox, command: ["true"]}
`,
	}, {
		name: "no key",
		body: `  templates:
  - name: main
    inputs:
      artifacts: [{name: a, path: /a, s3: {}}]
    outputs:
      artifacts: [{name: b, path: /b, s3: {}}]
    container: {image: busybox, command: ["true"]}
`,
		want: []string{
			"f.yaml:9:39: not supported: spec.templates[0].inputs.artifacts[0].s3: kubectl-wf runs key-only s3 artifacts, which need a key",
			"f.yaml:11:39: not supported: spec.templates[0].outputs.artifacts[0].s3: kubectl-wf runs key-only s3 artifacts, which need a key",
		},
	}, {
		name: "in a steps template",
		body: `  templates:
  - name: main
    inputs:
      artifacts: [{name: a, s3: {key: k}}]
    outputs:
      artifacts: [{name: b, s3: {key: k}}]
    steps: [[{name: s, template: leaf}]]
  - name: leaf
    container: {image: busybox}
`,
		want: []string{
			"f.yaml:9:29: not supported: spec.templates[0].inputs.artifacts[0].s3: kubectl-wf resolves key-only input artifacts in container and script templates only",
			"f.yaml:11:29: not supported: spec.templates[0].outputs.artifacts[0].s3: kubectl-wf saves key-only artifacts from the path of a container or script template only",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			checkDiagnostics(t, lintHead+tc.body, tc.want)
		})
	}
}
