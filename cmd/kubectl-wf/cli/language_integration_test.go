package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
)

// languageWorkflow uses loops (withItems over scalars and maps, withParam
// over a script's JSON, withSequence with and without format, and an
// empty withParam), a false `when`, an expression, and a DAG whose
// `depends` reads .Succeeded, .Failed, bare names, .AnySucceeded and
// .AllFailed (the DAG part after Argo's own e2e test TestDAGDepends).
const languageWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: language}
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: config
      value: '{"employees": [{"name": "Baris", "age": 43}, {"name": "Mo", "age": 42}]}'
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: scalars
        template: echo
        withItems: [x, 7]
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
      - name: maps
        template: echo
        withItems: [{os: debian, v: "12"}]
        arguments: {parameters: [{name: m, value: "{{item.os}}-{{item.v}}"}]}
      - name: params
        template: echo
        withParam: "{{steps.gen.outputs.result}}"
        arguments: {parameters: [{name: m, value: "{{item.s}}{{item.n}}"}]}
      - name: none
        template: echo
        withParam: "[]"
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
      - name: seq
        template: echo
        withSequence: {start: "2", end: "4"}
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
      - name: formatted
        template: echo
        withSequence: {count: "2", format: "n%02d"}
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
      - name: never
        template: echo
        when: "{{steps.gen.status}} != Succeeded"
        arguments: {parameters: [{name: m, value: never}]}
    - - name: collect
        template: echo
        arguments:
          parameters:
          - name: m
            value: "{{steps.seq.outputs.result}} {{=jsonpath(workflow.parameters.config, '$.employees[1].name') + '-' + string(asInt('5') * 2)}}"
    - - {name: depends, template: depends}
  - name: gen
    script:
      image: busybox
      command: [sh]
      source: |
        echo '[{"n": 1, "s": "a"}, {"n": 2, "s": "b"}]'
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
  - name: depends
    dag:
      tasks:
      - {name: P, template: pass}
      - {name: F, template: fail}
      - {name: should-execute-1, template: pass, depends: "P && (F.Succeeded || F.Failed)"}
      - {name: should-execute-2, template: pass, depends: "P || F"}
      - {name: should-not-execute, template: pass, depends: "P && F"}
      - {name: should-execute-3, template: pass, depends: "should-execute-2.Succeeded || should-not-execute"}
      - name: L
        template: exit
        withItems: ["0", "1"]
        arguments: {parameters: [{name: code, value: "{{item}}"}]}
      - {name: any, template: pass, depends: L.AnySucceeded}
      - {name: all, template: pass, depends: L.AllFailed}
      - {name: end, template: pass, depends: "any || all"}
  - name: pass
    container: {image: busybox, command: ["true"]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 1"]}
  - name: exit
    inputs: {parameters: [{name: code}]}
    container: {image: busybox, command: [sh, -c, "exit {{inputs.parameters.code}}"]}
`

// TestLanguageOnCluster: loop node names and results, Skipped and
// Omitted nodes with Argo's messages, an expression's value, and depends
// over failed, skipped and looped tasks, as Argo gives them.
func TestLanguageOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	if code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, languageWorkflow)); code != 0 {
		t.Fatalf("submit exited %d\n%s%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "language")
	if doc.Status.Phase != "Succeeded" {
		t.Errorf("workflow %s, want Succeeded", doc.Status.Phase)
	}
	type seen struct{ Type, Phase, Message, Result string }
	got := map[string]seen{}
	for _, n := range doc.Status.Nodes {
		s := seen{Type: n.Type, Phase: string(n.Phase), Message: n.Message}
		if n.Outputs != nil && n.Outputs.Result != nil {
			s.Result = *n.Outputs.Result
		}
		if n.Type != "StepGroup" && n.Type != "Steps" && n.Type != "DAG" {
			got[n.Name] = s
		}
	}
	want := map[string]seen{
		"language[0].gen":                        {"Pod", "Succeeded", "", `[{"n": 1, "s": "a"}, {"n": 2, "s": "b"}]`},
		"language[1].scalars(0:x)":               {"Pod", "Succeeded", "", "x"},
		"language[1].scalars(1:7)":               {"Pod", "Succeeded", "", "7"},
		"language[1].maps(0:os:debian,v:12)":     {"Pod", "Succeeded", "", "debian-12"},
		"language[1].params(0:n:1,s:a)":          {"Pod", "Succeeded", "", "a1"},
		"language[1].params(1:n:2,s:b)":          {"Pod", "Succeeded", "", "b2"},
		"language[1].none":                       {"Skipped", "Skipped", "Skipped, empty params", ""},
		"language[1].seq(0:2)":                   {"Pod", "Succeeded", "", "2"},
		"language[1].seq(1:3)":                   {"Pod", "Succeeded", "", "3"},
		"language[1].seq(2:4)":                   {"Pod", "Succeeded", "", "4"},
		"language[1].formatted(0:n00)":           {"Pod", "Succeeded", "", "n00"},
		"language[1].formatted(1:n01)":           {"Pod", "Succeeded", "", "n01"},
		"language[1].never":                      {"Skipped", "Skipped", "when 'Succeeded != Succeeded' evaluated false", ""},
		"language[2].collect":                    {"Pod", "Succeeded", "", "[2,3,4] Mo-10"},
		"language[3].depends.P":                  {"Pod", "Succeeded", "", ""},
		"language[3].depends.F":                  {"Pod", "Failed", "main: Error (exit code 1)", ""},
		"language[3].depends.should-execute-1":   {"Pod", "Succeeded", "", ""},
		"language[3].depends.should-execute-2":   {"Pod", "Succeeded", "", ""},
		"language[3].depends.should-not-execute": {"Skipped", "Omitted", "omitted: depends condition not met", ""},
		"language[3].depends.should-execute-3":   {"Pod", "Succeeded", "", ""},
		"language[3].depends.L":                  {"TaskGroup", "Failed", "", ""},
		"language[3].depends.L(0:0)":             {"Pod", "Succeeded", "", ""},
		"language[3].depends.L(1:1)":             {"Pod", "Failed", "main: Error (exit code 1)", ""},
		"language[3].depends.any":                {"Pod", "Succeeded", "", ""},
		"language[3].depends.all":                {"Skipped", "Omitted", "omitted: depends condition not met", ""},
		"language[3].depends.end":                {"Pod", "Succeeded", "", ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("nodes (-want +got):\n%s", d)
	}
}
