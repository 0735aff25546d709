package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestRunAsNamespacedRole runs workflows as a ServiceAccount bound only to
// the Role of docs/rbac.yaml, in its namespace: what the docs promise is
// enough, with nothing cluster-scoped.
func TestRunAsNamespacedRole(t *testing.T) {
	cs, cfg := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()
	raw, err := os.ReadFile("../../../docs/rbac.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.Role
	if err := yaml.UnmarshalStrict(raw, &role); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().Roles(ns).Create(ctx, &role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "runner"}}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "runner"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "runner", Namespace: ns}}}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	token, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "runner", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ca := cfg.CAData
	if len(ca) == 0 {
		if ca, err = os.ReadFile(cfg.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	kubeconfig := filepath.Join(t.TempDir(), "runner.kubeconfig")
	err = clientcmd.WriteToFile(clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{"local": {Server: cfg.Host, CertificateAuthorityData: ca}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"runner": {Token: token.Status.Token}},
		Contexts:       map[string]*clientcmdapi.Context{"runner": {Cluster: "local", AuthInfo: "runner", Namespace: ns}},
		CurrentContext: "runner",
	}, kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	asRunner := func(args ...string) (int, string, string) {
		t.Helper()
		return run(t, "", append(args, "--kubeconfig", kubeconfig)...)
	}
	if code, _, errOut := asRunner("get", "nothing"); code == 0 || !strings.Contains(errOut, "not found") {
		t.Fatalf("the ServiceAccount's kubeconfig does not work as expected: exit %d: %s", code, errOut)
	}
	// memoize.yaml twice: a miss that creates its cache, then a hit.
	for _, fixture := range []string{"hello-world.yaml", "script.yaml", "dag-diamond.yaml", "result-passing.yaml", "output-parameters.yaml", "resource.yaml", "memoize.yaml", "memoize.yaml"} {
		code, out, errOut := asRunner("submit", filepath.Join(fixturesDir, fixture))
		if code != 0 {
			t.Errorf("%s as the ServiceAccount: exit %d\n%s%s", fixture, code, out, errOut)
			continue
		}
		name := submitted(t, out)
		if code, out, errOut := asRunner("get", name, "-o", "jsonpath={.status.phase}"); code != 0 || out != string(watch.Succeeded) {
			t.Errorf("get %s: exit %d, %q %s", name, code, out, errOut)
		}
		if code, _, errOut := asRunner("logs", name); code != 0 {
			t.Errorf("logs %s: exit %d %s", name, code, errOut)
		}
	}
	if code, _, errOut := asRunner("submit", writeTemp(t, longStepYAML), "--driver=none"); code != 0 {
		t.Fatalf("submit --driver=none: %s", errOut)
	}
	for _, args := range [][]string{{"stop", "long"}, {"list", "--status", "Failed"}, {"delete", "--all"}} {
		if code, out, errOut := asRunner(args...); code != 0 {
			t.Errorf("%v as the ServiceAccount: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}
