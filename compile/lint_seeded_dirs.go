package compile

import (
	"fmt"
	"path"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintSeededArtifacts checks the output artifacts of a container with no
// command that lie on none of its volumes: kubectl-wf reads each from an
// emptyDir at its directory (seeded_dirs.go), which cannot be /, and in
// which the sidecar does not see what the kubelet mounts below it in main
// alone: an input artifact, or the file of the output parameter that is
// main's termination message. Paths that are not absolute, or hold tags,
// are checked elsewhere or when known.
func (l *linter) lintSeededArtifacts(ap string, t *wfv1.Template) {
	for i, a := range t.Outputs.Artifacts {
		if a.Path == "" || strings.Contains(a.Path, "{{") || !path.IsAbs(a.Path) || escapes(a.Path) || onVolume(t, a) {
			continue
		}
		p := fmt.Sprintf("%s[%d].path", ap, i)
		const how = "kubectl-wf saves an output artifact of a container with no command from an emptyDir it mounts at the artifact's directory, seeded from the image"
		const fix = "give the container a command, or put the artifact on a volume it mounts"
		if path.Dir(path.Clean(a.Path)) == "/" {
			l.errorf(p, "not supported: %s: %s, which cannot be / (%s); %s", p, how, a.Path, fix)
			continue
		}
		for _, in := range t.Inputs.Artifacts {
			if in.Path != "" && !strings.Contains(in.Path, "{{") && overlaps(in.Path, a.Path) {
				l.errorf(p, "not supported: %s: %s; input artifact %q, mounted at %s, would not be in it; %s", p, how, in.Name, in.Path, fix)
			}
		}
		if f := OutputFile(t); f != "" && !strings.Contains(f, "{{") && overlaps(f, a.Path) {
			l.errorf(p, "not supported: %s: %s; the kubelet mounts the output parameter's file %s, the container's termination message, over it; %s", p, how, f, fix)
		}
	}
}

// overlaps tells whether one of two absolute paths is the other or lies
// under it.
func overlaps(a, b string) bool {
	a, b = path.Clean(a), path.Clean(b)
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}
