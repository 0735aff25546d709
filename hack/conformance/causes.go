package main

import (
	"context"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

var (
	// unresolved is the driver's message for a {{…}} it could not substitute.
	unresolved = regexp.MustCompile(`failed to resolve \{\{\s*(=?)\s*(.*)\}\}`)
	// callee is a function an expression calls.
	callee = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.]*)\(`)
	// exitCode is the message of a container that exited non-zero.
	exitCode = regexp.MustCompile(`main: Error \(exit code (\d+)\)`)
	// nodePrefix is how submit names the node and template an error is about.
	nodePrefix = regexp.MustCompile(`^error: (node \S+: )?(template "[^"]*": )?`)
	// noKind is the apiserver's answer for a kind it does not serve.
	noKind = regexp.MustCompile(`no matches for kind "[^"]*" in version "[^"]*"`)
)

// builtins are expr-lang's functions kubectl-wf evaluates: not the cause.
var builtins = setOf("map", "filter", "all", "any", "none", "one", "count", "len", "toJson", "fromJson",
	"asInt", "asFloat", "string", "int", "float", "keys", "values", "trim", "upper", "lower", "split", "join")

// variableWords are the parts of a variable's name kept when grouping;
// other parts (step, task and parameter names) become `*`.
var variableWords = setOf("workflow", "inputs", "outputs", "parameters", "result", "exitCode", "tasks", "steps",
	"item", "status", "duration", "artifacts", "name", "uid", "creationTimestamp", "id")

// cause is one reason a run did not succeed: a node (or `submit`, `get`,
// a pod), its phase and its message.
type cause struct{ Node, Phase, Message string }

func (c cause) String() string {
	s := strings.TrimSpace(c.Node + " " + c.Phase)
	if c.Message != "" {
		s += ": " + c.Message
	}
	return s
}

// causes are the leaf nodes that failed (or, while running, those not
// done yet) with their messages, else the workflow's message.
func (s *status) causes() []cause {
	want := []string{"Failed", "Error"}
	if s.Phase == "Running" || s.Phase == "Pending" {
		want = []string{"Running", "Pending"}
	}
	var out []cause
	for _, n := range s.Nodes {
		if len(n.Children) == 0 && slices.Contains(want, n.Phase) {
			out = append(out, cause{n.Name, n.Phase, oneLine(n.Message)})
		}
	}
	slices.SortFunc(out, func(a, b cause) int { return strings.Compare(a.Node, b.Node) })
	if len(out) == 0 {
		out = []cause{{Node: "workflow", Phase: s.Phase, Message: oneLine(s.Message)}}
	}
	return out
}

// pendingReason says why a workflow's pod has not started, from the pod.
func pendingReason(ctx context.Context, cs kubernetes.Interface, ns, name string) (cause, bool) {
	pods, err := cs.CoreV1().Pods(ns).List(context.WithoutCancel(ctx), metav1.ListOptions{LabelSelector: workflowLabel + "=" + name})
	if err != nil {
		return cause{}, false
	}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodPending {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
				return cause{"pod " + p.Name, c.Reason, oneLine(c.Message)}, true
			}
		}
		for _, c := range p.Status.ContainerStatuses {
			if w := c.State.Waiting; w != nil {
				return cause{"pod " + p.Name, w.Reason, oneLine(w.Message)}, true
			}
		}
	}
	return cause{}, false
}

// addLastOutput adds to the causes of containers that exited non-zero
// the last line their main container printed, which usually says why
// (`sh: apk: not found`).
func (r *runner) addLastOutput(ctx context.Context, st *status, causes []cause) {
	pods := map[string]string{} // node name → pod
	for _, n := range st.Nodes {
		pods[n.Name] = n.Pod
	}
	for i, c := range causes {
		pod := pods[c.Node]
		if pod == "" || !exitCode.MatchString(c.Message) {
			continue
		}
		out, err := r.cs.CoreV1().Pods(r.ns).GetLogs(pod, &corev1.PodLogOptions{Container: "main", TailLines: ptr.To[int64](1)}).DoRaw(context.WithoutCancel(ctx))
		if line := oneLine(string(out)); err == nil && line != "" {
			causes[i].Message += "; its last output: " + line
		}
	}
}

// workflowLabel is on every Job and pod of a workflow (docs/design.md).
const workflowLabel = "kubectl-wf.dev/workflow"

// category groups a cause with those that have the same explanation: its
// message without workflow, node and file names. It is empty for a node
// that only waits, without a message.
func (c cause) category() string {
	msg := c.Message
	switch {
	case msg == "":
		return ""
	case strings.Contains(msg, "ErrImagePull"), strings.Contains(msg, "ImagePullBackOff"):
		return "image not in the local registry"
	case strings.Contains(msg, "Could not resolve host"):
		return "needs the internet: a host outside this machine does not resolve"
	case strings.Contains(msg, "apk: not found"):
		return "needs the internet: `apk` installs Alpine's packages from it (the alpine stand-in has no apk)"
	case c.Node == "submit":
		return "submit refused it: " + nodePrefix.ReplaceAllString(msg, "")
	case strings.Contains(msg, "unbound immediate PersistentVolumeClaims"):
		return "PersistentVolumeClaim never bound: the local cluster has no StorageClass or PersistentVolume"
	}
	if m := unresolved.FindStringSubmatch(msg); m != nil {
		if m[1] == "=" {
			return "expression " + calls(m[2]) + "not evaluated"
		}
		return "`{{" + variablePattern(m[2]) + "}}` not resolved"
	}
	if m := exitCode.FindStringSubmatch(msg); m != nil {
		return "container exited with code " + m[1]
	}
	if m := noKind.FindString(msg); m != "" {
		return "resource template: " + m
	}
	return msg
}

// calls names the functions an expression calls, other than builtins:
// `calling jsonpath(), sprig.*() `.
func calls(expr string) string {
	var fns []string
	for _, m := range callee.FindAllStringSubmatch(expr, -1) {
		fn := m[1]
		if builtins[fn] {
			continue
		}
		if pkg, _, ok := strings.Cut(fn, "."); ok {
			fn = pkg + ".*"
		}
		if fn = "`" + fn + "()`"; !slices.Contains(fns, fn) {
			fns = append(fns, fn)
		}
	}
	if len(fns) == 0 {
		return ""
	}
	return "calling " + strings.Join(fns, ", ") + " "
}

// variablePattern turns `tasks.producer.outputs.parameters.msg` into
// `tasks.*.outputs.parameters.*`.
func variablePattern(v string) string {
	parts := strings.Split(strings.TrimSpace(v), ".")
	for i, p := range parts {
		if !variableWords[p] {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, ".")
}
