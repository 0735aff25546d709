package compile

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/expr-lang/expr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// artifactNamePattern is Argo's rule for parameter and artifact names; it
// also makes ArtifactKey a valid ConfigMap key.
var artifactNamePattern = regexp.MustCompile(`^[-a-zA-Z0-9_]+$`)

// maxRawArtifactBytes bounds one raw artifact's data: a node's ConfigMap
// holds its script and every raw artifact, at most 1 MiB in all, metadata
// included. The rest is left for those.
const maxRawArtifactBytes = 1000 * 1024

// lintInputArtifacts checks a template's input artifacts as Argo's
// validator does (names, paths), and what kubectl-wf needs to place them.
// Sources other than raw were reported by the parser.
func (l *linter) lintInputArtifacts(at string, t *wfv1.Template) {
	if len(t.Inputs.Artifacts) == 0 {
		return
	}
	ap := at + ".inputs.artifacts"
	kinds := templateKinds(t)
	leaf := len(t.Steps) == 0 && t.DAG == nil && t.Suspend == nil
	if leaf && t.Container == nil && t.Script == nil && len(kinds) == 1 {
		l.errorf(ap, "not supported: %s: kubectl-wf places input artifacts in container and script templates only, not in %s templates", ap, kinds[0])
		return
	}
	l.lintArtifactNames(ap, t.Inputs.Artifacts)
	mounted := map[string]string{}
	if t.Container != nil {
		for _, m := range t.Container.VolumeMounts {
			mounted[m.MountPath] = "container.volumeMounts." + m.Name
		}
	}
	for i, a := range t.Inputs.Artifacts {
		p := fmt.Sprintf("%s[%d]", ap, i)
		switch {
		case !leaf && a.Path != "":
			l.errorf(p+".path", "templates.%s.inputs.artifacts.%s.path only valid in container/script templates", t.Name, a.Name)
		case !leaf:
		case a.Path == "":
			l.errorf(p, "input artifact %q did not specify a path", a.Name)
		case strings.Contains(a.Path, "{{"):
		case escapes(a.Path):
			l.errorf(p+".path", "input artifact %q attempted to use a path containing '..'. Directory traversal is not permitted", a.Name)
		case !strings.HasPrefix(a.Path, "/"):
			l.errorf(p+".path", "input artifact %q: path %q must be absolute: kubectl-wf mounts the file there", a.Name, a.Path)
		case mounted[path.Clean(a.Path)] != "":
			l.errorf(p+".path", "templates.%s.inputs.artifacts[%d].path '%s' already mounted in %s", t.Name, i, a.Path, mounted[path.Clean(a.Path)])
		default:
			mounted[path.Clean(a.Path)] = "inputs.artifacts." + a.Name
		}
		if a.Mode != nil && (*a.Mode < 0 || *a.Mode > 0o777) {
			l.errorf(p+".mode", "not supported: %s.mode: %#o: kubectl-wf gives the file its mode through a ConfigMap volume, which takes permission bits only (0 to 0777)", p, *a.Mode)
		}
		l.lintRawSize(p, a)
		l.lintSubPath(p, a)
		switch {
		case leaf:
			l.lintArtifactKey(p, a)
			l.lintHTTPArtifact(p, a)
		case a.S3 != nil:
			l.errorf(p+".s3", "not supported: %s.s3: kubectl-wf resolves key-only input artifacts in container and script templates only", p)
		case a.HTTP != nil:
			l.errorf(p+".http", "not supported: %s.http: kubectl-wf fetches http input artifacts in container and script templates only; pass it on as an argument", p)
		}
	}
}

// lintArtifactKey: a key-only s3 artifact needs its key; the other s3
// fields were reported by the parser.
func (l *linter) lintArtifactKey(at string, a wfv1.Artifact) {
	if a.S3 != nil && a.S3.Key == "" {
		l.errorf(at+".s3", "not supported: %s.s3: kubectl-wf runs key-only s3 artifacts, which need a key", at)
	}
}

// lintHTTPArtifact: an http artifact needs its URL.
func (l *linter) lintHTTPArtifact(at string, a wfv1.Artifact) {
	if a.HTTP != nil && a.HTTP.URL == "" {
		l.errorf(at+".http", "artifact %q: http.url is required", a.Name)
	}
}

// lintSubPath: kubectl-wf selects part of an artifact passed with from
// or fromExpression only; its other sources are a raw file.
func (l *linter) lintSubPath(at string, a wfv1.Artifact) {
	if a.SubPath != "" && a.From == "" && a.FromExpression == "" && !hasOtherSource(a) {
		l.errorf(at+".subPath", "not supported: %s.subPath: kubectl-wf applies subPath to an artifact passed with from only", at)
	}
}

// lintOutputArtifacts checks the output artifacts a template declares:
// kubectl-wf saves those a container or script leaves at a path (see
// withArtifactExecutor), and a steps or dag template takes one of its
// children's with from or fromExpression. Other sources were reported by
// the parser.
func (l *linter) lintOutputArtifacts(at string, t *wfv1.Template) {
	if len(t.Outputs.Artifacts) == 0 {
		return
	}
	ap := at + ".outputs.artifacts"
	l.lintArtifactNames(ap, t.Outputs.Artifacts)
	for i, a := range t.Outputs.Artifacts {
		p := fmt.Sprintf("%s[%d]", ap, i)
		l.lintGlobalName(p, a)
		if a.HTTP != nil {
			l.errorf(p+".http", "not supported: %s.http: kubectl-wf fetches http artifacts as inputs; it uploads no output artifact", p)
		}
	}
	switch {
	case len(t.Steps) > 0 || t.DAG != nil:
		l.lintOutputKeys(ap, t)
		l.lintTakenArtifacts(ap, t)
		return
	case t.ContainerSet != nil:
		l.lintContainerSetArtifacts(ap, t)
	case t.Container == nil && t.Script == nil:
		l.lintOutputKeys(ap, t)
		if kinds := templateKinds(t); len(kinds) == 1 {
			l.errorf(ap, "not supported: %s: kubectl-wf saves output artifacts of container, script and containerSet templates, and takes them from children in steps and dag templates, not in %s templates", ap, kinds[0])
		}
		return
	case seedsArtifacts(t):
		l.lintSeededArtifacts(ap, t)
	case len(mainCommand(t)) == 0 && slices.ContainsFunc(pathArtifacts(t), func(a wfv1.Artifact) bool { return !onVolume(t, a) }):
		l.errorf(ap, "not supported: %s: kubectl-wf saves an output artifact that is not on a volume by running the script's command under its executor; give the script a command, or put the artifact on a volume it mounts", ap)
	}
	for i, a := range t.Outputs.Artifacts {
		p := fmt.Sprintf("%s[%d]", ap, i)
		switch {
		case a.Path == "" && (a.From != "" || a.FromExpression != ""):
			l.errorf(p, "not supported: %s: a container or script template's output artifact is saved from its path; from and fromExpression take a child's in steps and dag templates", p)
		case a.Path == "":
			l.errorf(p, "output artifact %q did not specify a path", a.Name)
		case a.S3 != nil && a.S3.Key == "":
			l.lintArtifactKey(p, a)
		case strings.Contains(a.Path, "{{"):
		case escapes(a.Path):
			l.errorf(p+".path", "output artifact %q attempted to use a path containing '..'. Directory traversal is not permitted", a.Name)
		case !strings.HasPrefix(a.Path, "/"):
			l.errorf(p+".path", "output artifact %q: path %q must be absolute", a.Name, a.Path)
		}
	}
}

// lintContainerSetArtifacts: as Argo's executor does, kubectl-wf saves a
// containerSet's output artifacts from main; it collects them from the
// volumes main mounts, as Argo's docs advise ("use a workspace volume"),
// since main is not the only container to have run.
func (l *linter) lintContainerSetArtifacts(ap string, t *wfv1.Template) {
	if !slices.ContainsFunc(t.ContainerSet.Containers, func(c wfv1.ContainerNode) bool { return c.Name == mainContainerName }) {
		l.errorf(ap, "containerSet templates with output artifacts must have a container named main")
		return
	}
	for i, a := range t.Outputs.Artifacts {
		if a.Path != "" && !strings.Contains(a.Path, "{{") && !onVolume(t, a) {
			p := fmt.Sprintf("%s[%d].path", ap, i)
			l.errorf(p, "not supported: %s: kubectl-wf saves a containerSet's output artifacts from the volumes its main container mounts; %s is on none", p, a.Path)
		}
	}
}

// onVolume tells whether an output artifact lies on a volume main mounts.
func onVolume(t *wfv1.Template, a wfv1.Artifact) bool {
	_, ok := volumeHolding(mainMounts(t), a.Path)
	return ok
}

// lintOutputKeys: a key-only output artifact is saved from a container's
// or script's path; other templates' outputs have none.
func (l *linter) lintOutputKeys(ap string, t *wfv1.Template) {
	for i, a := range t.Outputs.Artifacts {
		if a.S3 != nil {
			p := fmt.Sprintf("%s[%d].s3", ap, i)
			l.errorf(p, "not supported: %s: kubectl-wf saves key-only artifacts from the path of a container or script template only", p)
		}
	}
}

// lintTakenArtifacts checks a steps or dag template's output artifacts,
// which name a child's with from or fromExpression, as Argo's validator.
func (l *linter) lintTakenArtifacts(ap string, t *wfv1.Template) {
	for i, a := range t.Outputs.Artifacts {
		p := fmt.Sprintf("%s[%d]", ap, i)
		switch {
		case a.Path != "":
			l.errorf(p+".path", "templates.%s.outputs.artifacts.%s.path only valid in container/script templates", t.Name, a.Name)
		case a.From != "" && a.FromExpression != "":
			l.errorf(p, "output artifact %q: give either from or fromExpression, not both", a.Name)
		case a.From == "" && a.FromExpression == "" && !hasOtherSource(a) && a.Raw == nil:
			l.errorf(p, "output artifact %q of a %s template needs from or fromExpression", a.Name, templateKinds(t)[0])
		case a.Raw != nil:
			l.errorf(p+".raw", "not supported: %s.raw: a steps or dag template's output artifact is taken from a child with from or fromExpression", p)
		}
		l.lintFromExpression(p, a)
	}
}

// lintFromExpression checks that fromExpression parses as expr-lang.
func (l *linter) lintFromExpression(at string, a wfv1.Artifact) {
	if a.FromExpression == "" {
		return
	}
	if _, err := expr.Compile(a.FromExpression); err != nil {
		l.errorf(at+".fromExpression", "artifact %q: fromExpression %q does not parse: %s", a.Name, a.FromExpression, firstLine(err.Error()))
	}
}

// lintGlobalName checks an output artifact's globalName as Argo's
// validator, unless it is a tag.
func (l *linter) lintGlobalName(at string, a wfv1.Artifact) {
	if a.GlobalName != "" && !strings.Contains(a.GlobalName, "{{") && !artifactNamePattern.MatchString(a.GlobalName) {
		l.errorf(at+".globalName", "artifact %q: globalName %q must consist of letters, digits, '_' or '-'", a.Name, a.GlobalName)
	}
}

// lintArtifactArguments checks the artifacts a step, a task, a hook or
// the workflow passes (at ap, to target when known): each needs a source,
// and target's inputs without one of their own need an argument, else an
// error at call names who calls.
func (l *linter) lintArtifactArguments(ap string, args []wfv1.Artifact, target *wfv1.Template, call, who string) {
	l.lintArtifactNames(ap, args)
	given := map[string]bool{}
	for i, a := range args {
		p := fmt.Sprintf("%s[%d]", ap, i)
		given[a.Name] = true
		if a.Raw == nil && a.From == "" && a.FromExpression == "" && !hasOtherSource(a) {
			l.errorf(p, "artifact %q: from, artifact location, or key is required", a.Name)
		}
		l.lintRawSize(p, a)
		l.lintSubPath(p, a)
		l.lintArtifactKey(p, a)
		l.lintHTTPArtifact(p, a)
		l.lintFromExpression(p, a)
	}
	if target == nil {
		return
	}
	for _, in := range target.Inputs.Artifacts {
		if in.Raw == nil && !in.Optional && !hasOtherSource(in) && !given[in.Name] {
			l.errorf(call, "%s %q needs input artifact %q, which is not passed in arguments (inputs.artifacts.%s was not supplied)", who, target.Name, in.Name, in.Name)
		}
	}
}

func (l *linter) lintArtifactNames(path string, arts []wfv1.Artifact) {
	seen := map[string]bool{}
	for i, a := range arts {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case a.Name == "":
			l.errorf(p, "artifact has no name")
		case !artifactNamePattern.MatchString(a.Name):
			l.errorf(p+".name", "artifact name %q must consist of letters, digits, '_' or '-'", a.Name)
		case seen[a.Name]:
			l.errorf(p+".name", "artifact %q is given twice", a.Name)
		}
		seen[a.Name] = true
	}
}

func (l *linter) lintRawSize(path string, a wfv1.Artifact) {
	if a.Raw != nil && len(a.Raw.Data) > maxRawArtifactBytes {
		l.errorf(path+".raw.data", "not supported: %s.raw.data: %d bytes; kubectl-wf keeps a raw artifact in a ConfigMap, which holds at most 1 MiB in all (%d bytes per artifact)", path, len(a.Raw.Data), maxRawArtifactBytes)
	}
}

// hasOtherSource reports a source other than raw, which the parser has
// reported already: not a missing one too.
func hasOtherSource(a wfv1.Artifact) bool {
	l := a.ArtifactLocation
	return l.S3 != nil || l.Git != nil || l.HTTP != nil || l.Artifactory != nil || l.HDFS != nil ||
		l.OSS != nil || l.GCS != nil || l.Azure != nil || l.Plugin != nil
}

// escapes reports a path that climbs out of the directory before its
// first "..", which Argo's CleanPath refuses.
func escapes(p string) bool {
	safe, _, found := strings.Cut(p, "/../")
	if !found {
		if safe, found = strings.CutSuffix(p, "/.."); !found {
			return false
		}
	}
	cleaned := path.Clean(p)
	return !strings.HasPrefix(cleaned, safe+"/") || len(cleaned) <= len(safe)+1
}
