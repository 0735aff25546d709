package cli

import (
	"bufio"
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// LogsOptions are the options of `kubectl wf logs`.
type LogsOptions struct {
	clientFlags
	genericiooptions.IOStreams
	Follow bool
	// Container is the container whose log is printed: main by default,
	// as in argo logs; a containerSet's other containers by name.
	Container string
	// Node, when set, keeps only the pods of that node (its full name or
	// its last part).
	Node string
}

// NewCmdLogs prints the logs of a workflow's pods, each line prefixed by
// its node, as argo logs does.
func NewCmdLogs(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &LogsOptions{clientFlags: clientFlags{configFlags: configFlags}, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "logs NAME|@latest [NODE]",
		Short: "Print the logs of a workflow's pods",
		Long: `Print the main container's log of every pod of a workflow, oldest first, each
line prefixed by its node's name; give NODE (a node name or its last part) for
one node, and -c for another container (a containerSet's, a sidecar). With -f,
follow the logs of every pod as it starts, until the workflow ends.`,
		Example:           "  kubectl wf logs @latest\n  kubectl wf logs @latest print\n  kubectl wf logs @latest build -c compile\n  kubectl wf logs -f @latest",
		Args:              usageArgs(cobra.RangeArgs(1, 2)),
		ValidArgsFunction: completeWorkflows(&o.clientFlags, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				o.Node = args[1]
			}
			cs, ns, name, err := o.target(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if o.Follow {
				return o.follow(cmd.Context(), cs, ns, name)
			}
			return o.print(cmd.Context(), cs, ns, name)
		},
	}
	cmd.Flags().BoolVarP(&o.Follow, "follow", "f", false, "Follow the logs until the workflow ends")
	cmd.Flags().StringVarP(&o.Container, "container", "c", "main", "Print the logs of this container")
	addRateFlags(cmd, &o.clientFlags)
	return cmd
}

func (o *LogsOptions) print(ctx context.Context, cs kubernetes.Interface, ns, name string) error {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + name})
	if err != nil {
		return err
	}
	items := pods.Items
	sort.Slice(items, func(i, j int) bool { return items[i].CreationTimestamp.Before(&items[j].CreationTimestamp) })
	for i := range items {
		if o.wants(&items[i]) {
			o.copyLog(ctx, cs, &items[i], false, nil)
		}
	}
	return nil
}

// wants reports whether a pod is one whose log is asked for: of the
// node, if one was given, and with the container.
func (o *LogsOptions) wants(pod *corev1.Pod) bool {
	node := pod.Annotations[compile.AnnotationNodeName]
	return (o.Node == "" || node == o.Node || hasSuffixPart(node, o.Node)) && hasContainer(pod, o.Container)
}

func hasContainer(pod *corev1.Pod, name string) bool {
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range list {
			if c.Name == name {
				return true
			}
		}
	}
	return false
}

// copyLog writes one pod's log of the container asked for, each line prefixed by its node;
// lines of concurrent pods are kept whole by mu.
func (o *LogsOptions) copyLog(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, follow bool, mu *sync.Mutex) {
	node := pod.Annotations[compile.AnnotationNodeName]
	stream, err := cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: o.Container, Follow: follow}).Stream(ctx)
	if err != nil {
		o.locked(mu, func() { fmt.Fprintf(o.ErrOut, "%s: %v\n", node, err) })
		return
	}
	defer stream.Close()
	sc := bufio.NewScanner(stream)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		o.locked(mu, func() { fmt.Fprintf(o.Out, "%s: %s\n", node, sc.Text()) })
	}
}

func (o *LogsOptions) locked(mu *sync.Mutex, f func()) {
	if mu != nil {
		mu.Lock()
		defer mu.Unlock()
	}
	f()
}

// hasSuffixPart reports whether a node name ends with ".part".
func hasSuffixPart(node, part string) bool {
	return len(node) > len(part) && node[len(node)-len(part)-1] == '.' && node[len(node)-len(part):] == part
}
