package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// runOnCluster makes a fresh namespace, applies the supporting objects,
// runs the examples and deletes the namespace (unless keep). It returns
// what it applied, one line per object, for the report.
func runOnCluster(ctx context.Context, c *corpus, dir, bin string, filter *regexp.Regexp, parallel int, timeout time.Duration, keep bool) ([]string, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		clientcmd.NewDefaultClientConfigLoadingRules(), &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "kwf-conf-"}}, metav1.CreateOptions{})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "namespace %s\n", ns.Name)
	if keep {
		fmt.Fprintf(os.Stderr, "kept: delete it with kubectl delete namespace %s\n", ns.Name)
	} else {
		defer func() {
			// The run's context may be cancelled; clean-up still happens.
			err := cs.CoreV1().Namespaces().Delete(context.WithoutCancel(ctx), ns.Name, metav1.DeleteOptions{})
			if err != nil {
				fmt.Fprintf(os.Stderr, "deleting namespace %s: %v\n", ns.Name, err)
			}
		}()
	}
	setup := applySupport(ctx, cs, ns.Name, c.Support)
	runAll(ctx, cs, c, dir, bin, ns.Name, filter, parallel, timeout)
	return setup, ctx.Err()
}

// applySupport creates the ConfigMaps and PVCs as the folder has them;
// WorkflowTemplates are not applied: kubectl-wf has no template storage.
func applySupport(ctx context.Context, cs kubernetes.Interface, ns string, objs []object) []string {
	var lines []string
	for _, o := range objs {
		name, err := create(ctx, cs, ns, o)
		line := fmt.Sprintf("%s `%s` from `%s`", o.Kind, name, o.File)
		if err != nil {
			line += ": " + err.Error()
		}
		lines = append(lines, line)
	}
	return lines
}

func create(ctx context.Context, cs kubernetes.Interface, ns string, o object) (string, error) {
	data, err := json.Marshal(o.Body)
	if err != nil {
		return "", err
	}
	switch o.Kind {
	case "ConfigMap":
		var cm corev1.ConfigMap
		if err := json.Unmarshal(data, &cm); err != nil {
			return "", err
		}
		cm.Namespace = ns
		_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &cm, metav1.CreateOptions{})
		return cm.Name, err
	case "PersistentVolumeClaim":
		var pvc corev1.PersistentVolumeClaim
		if err := json.Unmarshal(data, &pvc); err != nil {
			return "", err
		}
		pvc.Namespace = ns
		_, err = cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &pvc, metav1.CreateOptions{})
		return pvc.Name, err
	}
	return "", fmt.Errorf("cannot apply a %s", o.Kind)
}
