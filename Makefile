# kubectl-wf: run Argo Workflows YAML as native Kubernetes Jobs.
# `make help` lists the targets.

SHELL      := bash
.SHELLFLAGS := -euo pipefail -c
GO         ?= go
BIN        := bin/kubectl-wf
TOOLS      := $(GO) tool -modfile=hack/tools/go.mod
FUZZTIME   ?= 20s

.PHONY: help build test unit lint fuzz bench soak dist krew-test cluster-up cluster-down cluster-status kwok-up kwok-down demo conformance clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## Build bin/kubectl-wf, static as releases are (hack/dist.sh)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/kubectl-wf

unit: ## Unit tests only (no cluster)
	$(GO) test ./...

test: ## Unit and integration tests (brings the local cluster up if needed)
	hack/test.sh

lint: ## go vet and staticcheck
	$(GO) vet ./...
	$(TOOLS) staticcheck ./...

fuzz: ## Run every fuzz target for FUZZTIME each
	hack/fuzz.sh $(FUZZTIME)

soak: ## The long tests (200 driver kills, 5,000-node workflows on kwok's simulated node, an apiserver restart, FUZZTIME=60s of each fuzz target), then one table of their figures
	hack/soak.sh

bench: ## Benchmarks, as ratios against baselines measured in the same run
	hack/bench.sh

kwok-up: ## Add the simulated node kwok-0 (sigs.k8s.io/kwok) to the running local cluster
	@hack/cluster/kwok.sh up

kwok-down: ## Stop kwok and remove its node (the cluster stays up)
	@hack/cluster/kwok.sh down

demo: ## The main job: run the demo workflow on the local cluster
	hack/demo.sh

cluster-up: ## Bring up the local single-node cluster; last line: export KUBECONFIG=...
	@hack/cluster/up.sh

cluster-down: ## Stop the local cluster (the built binaries stay cached)
	@hack/cluster/down.sh

cluster-status: ## Exit 0 if the local cluster is up and Ready
	@hack/cluster/status.sh

conformance: build ## Run Argo's examples on the running local cluster; writes docs/conformance.md
	@hack/cluster/status.sh || { echo "conformance: the local cluster is not up (make cluster-up)" >&2; exit 1; }
	KUBECONFIG="$$(source hack/cluster/lib.sh && echo "$$KUBECONFIG_FILE")" $(GO) run ./hack/conformance

dist: ## Release archives for six platforms, dist/wf.yaml (krew's manifest with their sha256) and the executor's image
	hack/dist.sh

krew-test: ## Install the plugin with krew itself, offline, run it through kubectl, uninstall it
	hack/krew-test.sh

clean: ## Remove build output
	rm -rf bin dist
