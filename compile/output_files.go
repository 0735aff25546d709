package compile

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// OutputFilesEnv lists, one per line, the files a wrapped container's
// outputs are collected from.
const OutputFilesEnv = "KUBECTL_WF_OUTPUT_FILES"

// collectOutputs runs the container's command ("$@"), passing signals on,
// then writes each listed file to the termination log as its byte count
// on a line and its bytes (or "-" on a line when there is none), and exits
// with the command's code. Paths come from the environment, never from the
// script's text, so no path can change what the shell runs.
const collectOutputs = `"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
while :; do
  wait "$child"; rc=$?
  kill -0 "$child" 2>/dev/null || break
done
printf '%s\n' "$` + OutputFilesEnv + `" | while IFS= read -r f; do
  if [ -f "$f" ]; then wc -c < "$f"; cat "$f"; else echo -; fi
done > /dev/termination-log
exit "$rc"
`

// OutputFiles are the files of a template's valueFrom.path output
// parameters, in order.
func OutputFiles(tmpl *wfv1.Template) []string {
	var out []string
	for _, p := range tmpl.Outputs.Parameters {
		if p.ValueFrom != nil && p.ValueFrom.Path != "" {
			out = append(out, p.ValueFrom.Path)
		}
	}
	return out
}

// OutputFile is the file of a template's single valueFrom.path output
// parameter, or "" when it has none or several.
func OutputFile(tmpl *wfv1.Template) string {
	if files := OutputFiles(tmpl); len(files) == 1 {
		return files[0]
	}
	return ""
}

// withOutputFiles makes main leave its output files in its termination
// message. One file is the message itself: the kubelet reads it, whatever
// the image holds. Several are collected by running main's command under
// /bin/sh (which the image must have).
func withOutputFiles(main *corev1.Container, files []string) {
	switch len(files) {
	case 0:
		return
	case 1:
		main.TerminationMessagePath = files[0]
	default:
		main.Args = append(append([]string{collectOutputs, "kubectl-wf-outputs"}, main.Command...), main.Args...)
		main.Command = []string{"/bin/sh", "-c"}
		main.Env = append(main.Env, corev1.EnvVar{Name: OutputFilesEnv, Value: strings.Join(files, "\n")})
	}
	main.TerminationMessagePolicy = corev1.TerminationMessageReadFile
}

// DecodeOutputFiles reads n files back from a termination message that
// collectOutputs wrote: nil for a file that was missing, or cut off by the
// kubelet's 4 KiB limit.
func DecodeOutputFiles(msg string, n int) []*string {
	out := make([]*string, n)
	for i := 0; i < n; i++ {
		line, rest, ok := strings.Cut(msg, "\n")
		if !ok {
			break
		}
		size, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || size < 0 || size > len(rest) {
			msg = rest
			continue // "-": no such file; or cut off
		}
		content := rest[:size]
		out[i], msg = &content, rest[size:]
	}
	return out
}

// sidecarOutputFiles are a containerSet's output files when they all lie
// on volumes main mounts: the artifacts sidecar reads them there once every
// container has ended, as containers other than main may write them. (A
// termination message file of main's own would hide the volume's file
// from main.)
func sidecarOutputFiles(t *wfv1.Template) []string {
	files := OutputFiles(t)
	if t.ContainerSet == nil || len(files) == 0 {
		return nil
	}
	for _, f := range files {
		if _, ok := volumeHolding(mainMounts(t), f); !ok {
			return nil
		}
	}
	return files
}

// mainCommand is the command of a template's main container, if it has
// one; a containerSet's is its container named main.
func mainCommand(t *wfv1.Template) []string {
	switch {
	case t.Container != nil:
		return t.Container.Command
	case t.Script != nil:
		return t.Script.Command
	case t.ContainerSet != nil:
		for _, c := range t.ContainerSet.Containers {
			if c.Name == mainContainerName {
				return c.Command
			}
		}
	}
	return nil
}
