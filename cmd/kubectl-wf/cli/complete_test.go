package cli

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

func TestWorkflowNames(t *testing.T) {
	cm := func(name, ns, role string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{compile.LabelRole: role}}}
	}
	cs := fake.NewClientset(
		cm("hello-b", "a", compile.RoleWorkflow), cm("hello-a", "a", compile.RoleWorkflow), cm("other", "a", compile.RoleWorkflow),
		cm("hello-script", "a", compile.RoleScript), cm("hello-elsewhere", "b", compile.RoleWorkflow))
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"hello-a", "hello-b", "other"}},
		{"hello", []string{"hello-a", "hello-b"}},
		{"x", nil},
	} {
		got, err := workflowNames(context.Background(), cs, "a", tc.prefix)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("prefix %q (-want +got):\n%s", tc.prefix, diff)
		}
	}
}
