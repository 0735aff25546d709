package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
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
	setup := applySupport(ctx, cs, ns.Name, bin, dir, append(ciEnvironment(), c.Support...))
	defer deleteClusterTemplates(context.WithoutCancel(ctx), bin, c.Support)
	runAll(ctx, cs, c, dir, bin, ns.Name, filter, parallel, timeout)
	return setup, ctx.Err()
}

// applySupport creates the ConfigMaps and PVCs as the folder has them,
// and stores its WorkflowTemplates and ClusterWorkflowTemplates with
// kubectl-wf's own template commands, one document at a time so that one
// template kubectl-wf refuses does not keep the others out.
func applySupport(ctx context.Context, cs kubernetes.Interface, ns, bin, dir string, objs []object) []string {
	var lines []string
	for _, o := range objs {
		var name string
		var err error
		switch o.Kind {
		case "WorkflowTemplate", "ClusterWorkflowTemplate":
			name, err = storeTemplate(ctx, bin, ns, o)
		default:
			name, err = create(ctx, cs, ns, o)
		}
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
		if _, err = cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &pvc, metav1.CreateOptions{}); err != nil {
			return pvc.Name, err
		}
		if ok, err := hasDefaultStorageClass(ctx, cs); err != nil || ok {
			return pvc.Name, err
		}
		return pvc.Name, provisionVolume(ctx, cs, &pvc)
	}
	return "", fmt.Errorf("cannot apply a %s", o.Kind)
}

// templateCommand is the kubectl-wf command that stores templates of kind.
func templateCommand(kind string) string {
	if kind == "ClusterWorkflowTemplate" {
		return "cluster-template"
	}
	return "template"
}

// storeTemplate stores one template document with `kubectl wf template
// create` (or cluster-template; --update, as the store outlives the run).
func storeTemplate(ctx context.Context, bin, ns string, o object) (string, error) {
	name, _ := dig(o.Body, "metadata", "name").(string)
	data, err := json.Marshal(o.Body)
	if err != nil {
		return name, err
	}
	cmd := exec.CommandContext(ctx, bin, templateCommand(o.Kind), "create", "--update", "-", "-n", ns)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return name, fmt.Errorf("%v: %s", err, strings.Join(strings.Fields(string(out)), " "))
	}
	return name, nil
}

// deleteClusterTemplates removes the ClusterWorkflowTemplates the run
// stored: unlike the namespace, their store is shared by the cluster.
func deleteClusterTemplates(ctx context.Context, bin string, objs []object) {
	for _, o := range objs {
		if o.Kind != "ClusterWorkflowTemplate" {
			continue
		}
		name, _ := dig(o.Body, "metadata", "name").(string)
		_ = exec.CommandContext(ctx, bin, "cluster-template", "delete", name).Run()
	}
}

// hasDefaultStorageClass says whether a claim that names no class gets
// one: the local cluster's `standard` (hostPath provisioner) binds it then.
func hasDefaultStorageClass(ctx context.Context, cs kubernetes.Interface) (bool, error) {
	list, err := cs.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err
	}
	for _, sc := range list.Items {
		if sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true" {
			return true, nil
		}
	}
	return false, nil
}

// provisionVolume does what a provisioner would, on a cluster that has
// none (an older local cluster; Argo's CI has k3s' local-path): a hostPath PersistentVolume of
// the claim's size, bound to the claim in advance. Deleting the namespace
// releases it; the Delete policy needs a recycler the cluster has not, so
// the run deletes released volumes of earlier runs here.
func provisionVolume(ctx context.Context, cs kubernetes.Interface, pvc *corev1.PersistentVolumeClaim) error {
	old, err := cs.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{LabelSelector: provisionedLabel})
	if err != nil {
		return err
	}
	for _, pv := range old.Items {
		if pv.Status.Phase == corev1.VolumeReleased {
			_ = cs.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
		}
	}
	dirType := corev1.HostPathDirectoryOrCreate
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: pvc.Namespace + "-" + pvc.Name, Labels: map[string]string{provisionedLabel: "true"}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      pvc.Spec.Resources.Requests,
			AccessModes:                   pvc.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			ClaimRef:                      &corev1.ObjectReference{Namespace: pvc.Namespace, Name: pvc.Name},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: "/tmp/kubectl-wf-volumes/" + pvc.Namespace + "-" + pvc.Name, Type: &dirType}},
		},
	}
	_, err = cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	return err
}

const provisionedLabel = "kubectl-wf.dev/conformance-volume"
