package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// Client-side rate limits. client-go's defaults (5 QPS, burst 10) would
// throttle a driver creating Jobs for a wide fan-out; these stay polite
// to a shared apiserver. --qps and --burst change them.
const (
	defaultQPS   = 50
	defaultBurst = 100
)

// clientFlags are the flags every command that talks to a cluster has.
type clientFlags struct {
	configFlags *genericclioptions.ConfigFlags
	QPS         float32
	Burst       int
}

// client builds a clientset and resolves the namespace.
func (f *clientFlags) client() (kubernetes.Interface, string, error) {
	config, err := f.configFlags.ToRESTConfig()
	if err != nil {
		return nil, "", err
	}
	config.QPS, config.Burst = f.QPS, f.Burst
	cs, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, "", err
	}
	ns, _, err := f.configFlags.ToRawKubeConfigLoader().Namespace()
	return cs, ns, err
}

// resources builds what the driver needs to run resource templates: a
// dynamic client and a REST mapper, both with this command's credentials.
func (f *clientFlags) resources() (*watch.Resources, error) {
	config, err := f.configFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	config.QPS, config.Burst = f.QPS, f.Burst
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	mapper, err := f.configFlags.ToRESTMapper()
	if err != nil {
		return nil, err
	}
	return &watch.Resources{Dynamic: dyn, Mapper: mapper}, nil
}

// target resolves a command's workflow argument: a client, the namespace
// and the workflow's name (@latest resolved).
func (f *clientFlags) target(ctx context.Context, arg string) (kubernetes.Interface, string, string, error) {
	cs, ns, err := f.client()
	if err != nil {
		return nil, "", "", err
	}
	name, err := resolveName(ctx, cs, ns, arg)
	return cs, ns, name, err
}

// resolveName turns @latest into the newest workflow of the namespace.
func resolveName(ctx context.Context, cs kubernetes.Interface, namespace, name string) (string, error) {
	if name != "@latest" {
		return name, nil
	}
	list, err := cs.CoreV1().ConfigMaps(namespace).List(ctx, metav1.ListOptions{LabelSelector: compile.LabelRole + "=" + compile.RoleWorkflow})
	if err != nil {
		return "", err
	}
	if len(list.Items) == 0 {
		return "", fmt.Errorf("no workflows in namespace %s", namespace)
	}
	items := list.Items
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i].CreationTimestamp, items[j].CreationTimestamp
		if a.Equal(&b) {
			return items[i].Name > items[j].Name
		}
		return a.After(b.Time)
	})
	return items[0].Name, nil
}

// driverIdentity names one driver in a workflow's Lease: host and pid say
// where it runs, a random part tells two drivers of one process apart.
func driverIdentity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("kubectl-wf@%s/%d/%s", host, os.Getpid(), rand.Text()[:6])
}
