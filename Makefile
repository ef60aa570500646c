# CXM. `make run` starts the whole pipeline locally; `make test` runs every test against real components.
SHELL := /bin/bash
GO ?= go
BIN := bin/cxm
CONFIG ?= cxm.yaml
PKGS ?= ./...
export CGO_ENABLED ?= 1

.PHONY: all build run test test-deps test-cluster bench lint clickhouse clickhouse-stop cluster cluster-stop plugin console clean

all: build

# The version `cxm version` and cxm_build_info report: the git tag and commit, "devel" outside git.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

# The first build downloads and compiles every dependency (a few minutes on 2 cores): say so instead of
# sitting silent, and list the packages as they compile.
build:
	@[ -x $(BIN) ] || echo "building $(BIN): the first build downloads and compiles the dependencies, a few minutes" >&2
	$(GO) build $(if $(wildcard $(BIN)),,-v) -ldflags "-X github.com/cxm-project/cxm/internal/version.Version=$(VERSION)" -o $(BIN) ./cmd/cxm

# Starts the project-local ClickHouse (installing it with apt-get when missing) and then everything else
# in one process; Ctrl-C stops it all, the ClickHouse this target started included (one that was already
# running before is left running).
run: build
	@if bash deploy/local/clickhouse.sh status >/dev/null 2>&1; then started=; else started=1; fi; \
	bash deploy/local/clickhouse.sh start || exit 1; \
	trap '[ -z "$$started" ] || bash deploy/local/clickhouse.sh stop' EXIT; \
	./$(BIN) run --config $(CONFIG)

clickhouse:
	bash deploy/local/clickhouse.sh start

clickhouse-stop:
	bash deploy/local/clickhouse.sh stop

# A local ClickHouse cluster (2 shards × 2 replicas, ZooKeeper) on ports 19100-19124 (deploy/local/cluster.sh);
# installs ZooKeeper when missing. The single server above keeps running beside it.
cluster:
	bash deploy/local/cluster.sh start

cluster-stop:
	bash deploy/local/cluster.sh stop

# Browser tests need Debian's Chromium; the alerting tests Prometheus, promtool, Alertmanager and amtool.
TEST_PKGS := chromium chromium-driver prometheus prometheus-alertmanager
# Helm is not packaged by Debian; the chart tests use one built from its Go module.
HELM_VERSION := v3.22.0
test-deps:
	@missing=$$(for p in $(TEST_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing $$missing"; (apt-get update -qq || true); \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
	@[ -x bin/helm ] || { echo "building helm for the chart tests"; GOBIN=$(CURDIR)/bin $(GO) install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION); }

# Every test, with the race detector, against the real ClickHouse and kfake; CXM_REQUIRE_SERVICES makes a
# missing server a failure instead of a skip.
test: clickhouse test-deps test-cluster
	CXM_REQUIRE_SERVICES=1 CXM_HELM=$(CURDIR)/bin/helm $(GO) test -race -count=1 -timeout 30m $(PKGS)
	@if [ -f plugin/package.json ]; then $(MAKE) -C plugin test; fi

# The tests that need the cluster (their names say Cluster), one package at a time (their faults stop and
# kill servers of the one cluster), then the cluster is stopped again: four servers and ZooKeeper would slow
# the rest of the suite on a small machine. Elsewhere they skip without it.
CLUSTER_TESTS := Cluster
test-cluster: cluster
	CXM_REQUIRE_CLUSTER=1 $(GO) test -p 1 -count=1 -timeout 15m -run '$(CLUSTER_TESTS)' ./deploy/clickhouse-cluster/ ./processor/ ./internal/api/; \
		rc=$$?; bash deploy/local/cluster.sh stop; exit $$rc

# With the local cluster up, BenchmarkSideBySide measures the cluster beside the single server in the same
# run; CXM_BENCH_CHAIN loads the 10,000-store week once (database cxm_bench_chain); CXM_BENCH_ASSIGN fills
# 10 M raw events and 1 M kpi_minute rows for BenchmarkAssignment (about a minute). BenchmarkSideBySide runs
# CXM_BENCH_ROUNDS (3) rounds of CXM_BENCH_EVENTS (3,000,000) per case.
bench: clickhouse cluster
	CXM_REQUIRE_SERVICES=1 CXM_BENCH_CHAIN=1 CXM_BENCH_ASSIGN=1 $(GO) test -run '^$$' -bench . -benchmem -timeout 60m $(PKGS); \
		rc=$$?; bash deploy/local/cluster.sh stop; exit $$rc

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# The Grafana plugin: dist/ (frontend bundle, plugin.json, the backend for linux, darwin and windows on amd64
# and arm64 through the SDK's mage targets, go_plugin_build_manifest) and a zip to unpack into Grafana's
# plugins folder.
plugin:
	$(MAKE) -C plugin build zip

# The web console: console/ bundled by esbuild into internal/console/dist, which the binary embeds and git
# keeps, so `go build` needs no npm. Run it after changing console/ and commit dist: TestBundleIsCurrent (part
# of make test) fails while dist is older than the sources.
console:
	cd console && npm ci --no-audit --no-fund && npm run build

# Stops the local ClickHouse before its data goes, and removes the broker's log with it (they belong together).
clean: clickhouse-stop
	rm -rf bin run test-artifacts
