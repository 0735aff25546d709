package main

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/kubernetes/fake"
)

func TestCategory(t *testing.T) {
	for _, tc := range []struct {
		c    cause
		want string
	}{
		{cause{"wf.a", "Error", `failed to resolve {{=jsonpath(workflow.parameters.c, '$.a')}}`}, "expression calling `jsonpath()` not evaluated"},
		{cause{"wf", "Error", `failed to resolve {{=map([jsonpath(sprig.b64dec(x), '$.t')], {toJson({a: sprig.add(#[0])})})[0]}}`},
			"expression calling `jsonpath()`, `sprig.*()` not evaluated"},
		{cause{"wf.consumer", "Error", "failed to resolve {{tasks.producer.outputs.parameters.msg}}"}, "`{{tasks.*.outputs.parameters.*}}` not resolved"},
		{cause{"wf[0].b(0:x)", "Failed", "main: Error (exit code 126)"}, "container exited with code 126"},
		{cause{"wf[0].a", "Error", `main: ErrImagePull: rpc error: "docker.io/argoproj/argosay:v1": not found`}, "image not in the local registry"},
		{cause{"submit", "", `error: node wf-x: template "t": podSpecPatch: bad`}, "submit refused it: podSpecPatch: bad"},
		{cause{"wf[0].a", "Pending", ""}, ""},
		{cause{"wf[0].bad", "Failed", "curl: (6) Could not resolve host: raw.githubusercontent.com"}, "needs the internet: a host outside this machine does not resolve"},
		{cause{"wf", "Failed", "main: Error (exit code 127); its last output: sh: apk: not found"},
			"needs the internet: `apk` installs Alpine's packages from it (the alpine stand-in has no apk)"},
	} {
		if got := tc.c.category(); got != tc.want {
			t.Errorf("category(%v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// TestAddLastOutput: only a container that exited non-zero, with a pod,
// gets its last output (the fake clientset's log is "fake logs"), and its
// category stays the exit code's.
func TestAddLastOutput(t *testing.T) {
	st := &status{Nodes: map[string]statusNode{
		"1": {Name: "wf.exited", Pod: "wf-exited-1"},
		"2": {Name: "wf.errored", Pod: "wf-errored-2"},
		"3": {Name: "wf.no-pod"},
	}}
	causes := []cause{
		{"wf.exited", "Failed", "main: Error (exit code 127)"},
		{"wf.errored", "Error", "failed to resolve {{inputs.parameters.x}}"},
		{"wf.no-pod", "Failed", "main: Error (exit code 1)"},
	}
	r := &runner{cs: fake.NewClientset(), ns: "ns"}
	r.addLastOutput(context.Background(), st, causes)
	want := []cause{
		{"wf.exited", "Failed", "main: Error (exit code 127); its last output: fake logs"},
		{"wf.errored", "Error", "failed to resolve {{inputs.parameters.x}}"},
		{"wf.no-pod", "Failed", "main: Error (exit code 1)"},
	}
	if diff := cmp.Diff(want, causes); diff != "" {
		t.Errorf("causes (-want +got):\n%s", diff)
	}
	if got := causes[0].category(); got != "container exited with code 127" {
		t.Errorf("category = %q", got)
	}
}
