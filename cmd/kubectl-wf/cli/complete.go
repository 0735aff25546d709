package cli

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// completeWorkflows completes a command's workflow argument (the first
// maxArgs arguments; -1 for any number) with the workflows of the
// namespace that -n and --context select, and @latest, as kubectl
// completes object names.
func completeWorkflows(f *clientFlags, maxArgs int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if maxArgs >= 0 && len(args) >= maxArgs {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cs, ns, err := f.client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		names, err := workflowNames(cmd.Context(), cs, ns, prefix)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		if strings.HasPrefix("@latest", prefix) {
			names = append(names, "@latest")
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// workflowNames lists the workflows of ns whose names start with prefix.
func workflowNames(ctx context.Context, cs kubernetes.Interface, ns, prefix string) ([]string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	list, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: compile.LabelRole + "=" + compile.RoleWorkflow})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, cm := range list.Items {
		if strings.HasPrefix(cm.Name, prefix) {
			names = append(names, cm.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// completeTemplates completes stored template names of kind k.
func completeTemplates(k templateKind, f *clientFlags, maxArgs int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if maxArgs >= 0 && len(args) >= maxArgs {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cs, ns, err := f.client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		list, err := watch.Templates{Client: cs, Namespace: ns}.List(ctx, k.Kind)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var names []string
		for _, t := range list {
			if strings.HasPrefix(t.Name, prefix) {
				names = append(names, t.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
