package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// templateTypes are Argo's template types, in the order the report shows them.
var templateTypes = []string{"container", "script", "steps", "dag", "suspend", "resource", "http", "containerSet", "data", "plugin"}

// notable are the fields worth naming in the report, wherever they appear.
var notable = setOf("withItems", "withParam", "withSequence", "when", "depends", "retryStrategy", "onExit",
	"hooks", "artifacts", "templateRef", "workflowTemplateRef", "inline", "continueOn", "daemon", "sidecars",
	"initContainers", "memoize", "synchronization", "parallelism", "timeout", "activeDeadlineSeconds",
	"podSpecPatch", "podMetadata", "workflowMetadata", "volumeClaimTemplates", "volumes", "podGC", "ttlStrategy",
	"metrics", "failFast", "globalName", "templateDefaults", "artifactRepositoryRef", "artifactGC",
	"podDisruptionBudget", "podResources", "resourceClaims", "archiveLocation", "archiveLogs", "nodeSelector",
	"imagePullSecrets", "dnsConfig", "securityContext", "serviceAccountName")

// provided are the images the local cluster has (docs/cluster.md).
var provided = setOf("busybox", "busybox:latest", "docker.io/library/busybox", "alpine:3.23", "python:alpine3.23",
	"argoproj/argosay:v1", "argoproj/argosay:v2", "curlimages/curl:latest", "nginx:1.13", "influxdb:1.2", "node:9.1-alpine")

// features summarises what an example uses.
type features struct {
	Types   map[string]int  // template type → count
	Fields  map[string]bool // notable fields and variables
	Missing map[string]bool // images the local cluster lacks
}

// add records a Workflow document's features.
func (f *features) add(doc map[string]any) {
	if f.Types == nil {
		f.Types, f.Fields, f.Missing = map[string]int{}, map[string]bool{}, map[string]bool{}
	}
	templates, _ := dig(doc, "spec", "templates").([]any)
	for _, t := range templates {
		for _, typ := range templateTypes {
			if dig(t, typ) != nil {
				f.Types[typ]++
			}
		}
	}
	f.walk("", doc["spec"])
}

func (f *features) walk(key string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			switch {
			case key == "valueFrom":
				f.Fields["valueFrom."+k] = true
			case key == "dag" && k == "target":
				f.Fields["dag.target"] = true
			case notable[k]:
				f.Fields[k] = true
			}
			f.walk(k, child)
		}
	case []any:
		for _, child := range v {
			f.walk(key, child)
		}
	case string:
		switch {
		case key == "image" && strings.Contains(v, "{{"):
			f.Fields["templated image"] = true
		case key == "image" && !provided[v]:
			f.Missing[v] = true
		}
		if strings.Contains(v, "{{=") {
			f.Fields["expr"] = true
		}
		if strings.Contains(v, ".outputs.result") {
			f.Fields["outputs.result"] = true
		}
		if strings.Contains(v, "workflow.status") || strings.Contains(v, "workflow.failures") {
			f.Fields["workflow.status"] = true
		}
	}
}

// String is `steps, container×2: when, withItems; image golang:1.18 ✗`.
func (f features) String() string {
	var types []string
	for _, typ := range templateTypes {
		switch n := f.Types[typ]; {
		case n == 1:
			types = append(types, typ)
		case n > 1:
			types = append(types, fmt.Sprintf("%s×%d", typ, n))
		}
	}
	s := strings.Join(types, ", ")
	if len(f.Fields) > 0 {
		if s != "" {
			s += ": "
		}
		s += strings.Join(slices.Sorted(maps.Keys(f.Fields)), ", ")
	}
	for _, img := range slices.Sorted(maps.Keys(f.Missing)) {
		s += "; image " + img + " ✗"
	}
	return s
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
