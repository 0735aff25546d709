package cli

import (
	"bufio"
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// NewCmdLogs prints the logs of a workflow's pods, each line prefixed by
// its node, as argo logs does.
func NewCmdLogs(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	f := &clientFlags{configFlags: configFlags}
	cmd := &cobra.Command{
		Use:     "logs NAME|@latest [NODE]",
		Short:   "Print the logs of a workflow's pods",
		Long:    "Print the main container's log of every pod of a workflow, oldest first, each line prefixed by its node's name; give NODE (a node name or its last part) for one node.",
		Example: "  kubectl wf logs @latest\n  kubectl wf logs @latest print",
		Args:    usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, ns, name, err := f.target(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			pods, err := cs.CoreV1().Pods(ns).List(cmd.Context(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + name})
			if err != nil {
				return err
			}
			items := pods.Items
			sort.Slice(items, func(i, j int) bool { return items[i].CreationTimestamp.Before(&items[j].CreationTimestamp) })
			for _, pod := range items {
				node := pod.Annotations[compile.AnnotationNodeName]
				if len(args) == 2 && node != args[1] && !hasSuffixPart(node, args[1]) {
					continue
				}
				stream, err := cs.CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{Container: "main"}).Stream(cmd.Context())
				if err != nil {
					fmt.Fprintf(streams.ErrOut, "%s: %v\n", node, err)
					continue
				}
				sc := bufio.NewScanner(stream)
				sc.Buffer(make([]byte, 64<<10), 1<<20)
				for sc.Scan() {
					fmt.Fprintf(streams.Out, "%s: %s\n", node, sc.Text())
				}
				stream.Close()
			}
			return nil
		},
	}
	addRateFlags(cmd, f)
	return cmd
}

// hasSuffixPart reports whether a node name ends with ".part".
func hasSuffixPart(node, part string) bool {
	return len(node) > len(part) && node[len(node)-len(part)-1] == '.' && node[len(node)-len(part):] == part
}
