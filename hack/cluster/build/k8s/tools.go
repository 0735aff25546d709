//go:build tools

// Package tools pins what this scratch module builds, so that `go mod tidy`
// keeps the requirements of the four commands (main packages cannot be
// imported, so their app packages stand in for them).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
	_ "k8s.io/kubernetes/cmd/kubelet/app"
)
