package main

import "testing"

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
	} {
		if got := tc.c.category(); got != tc.want {
			t.Errorf("category(%v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}
