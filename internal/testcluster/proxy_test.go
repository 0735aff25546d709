package testcluster

import (
	"net/url"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct{ method, url, want string }{
		{"GET", "/api/v1/namespaces/ns/configmaps/wf", "get configmaps"},
		{"GET", "/api/v1/namespaces/ns/pods?labelSelector=a%3Db", "list pods"},
		{"GET", "/apis/batch/v1/namespaces/ns/jobs?watch=true&resourceVersion=1", "watch jobs"},
		{"GET", "/api/v1/namespaces/ns/pods/p/log?container=main", "get pods/log"},
		{"POST", "/apis/batch/v1/namespaces/ns/jobs", "create jobs"},
		{"PATCH", "/apis/batch/v1/namespaces/ns/jobs/j", "patch jobs"},
		{"PUT", "/apis/coordination.k8s.io/v1/namespaces/ns/leases/wf", "update leases"},
		{"PATCH", "/apis/batch/v1/namespaces/ns/jobs/j/status", "patch jobs/status"},
		{"DELETE", "/apis/policy/v1/namespaces/ns/poddisruptionbudgets/wf", "delete poddisruptionbudgets"},
		{"DELETE", "/api/v1/namespaces/ns/pods", "deletecollection pods"},
		{"GET", "/api/v1/namespaces/ns", "get namespaces"},
		{"GET", "/api/v1/namespaces", "list namespaces"},
		{"GET", "/version", "get /version"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := Classify(tt.method, u); got != tt.want {
			t.Errorf("Classify(%s %s) = %q, want %q", tt.method, tt.url, got, tt.want)
		}
	}
}
