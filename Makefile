# Vigil — build, test and demo entry points. `make help` lists them.

SWIFT ?= swift
BIN_DEBUG = .build/debug
BIN_RELEASE = .build/release

.PHONY: help deps reference build release test demo bench fuzz clean

help:
	@echo "make demo    build; hash the samples; scan edited copies against the sample bank;"
	@echo "             then run the daemon on two live sample streams and show the signed alert"
	@echo "make test    install what is missing, build, run every test"
	@echo "make bench   run the benchmarks side by side with the references (see BENCHMARKS.md)"
	@echo "make build   debug build;  make release   optimised build"
	@echo "make fuzz    run each libFuzzer target for FUZZ_SECONDS (default 600)"

deps:
	@bash scripts/install-deps.sh

reference: deps
	@bash scripts/reference-venv.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Passes over one debug build. The debug build hashes unoptimised, so the heaviest hashing
# (every frame of the vPDQ clips, an hour of frames for the memory bound, 600 random images against
# Meta's reference) and the bank-reload memory
# test (a 200,000-hash bank loaded thirteen times, its API calls timed) run after the rest and on
# its own, where it cannot starve the real-time live-server suites on a 2-core machine; the
# end-to-end latency test (frame to webhook within 2 s) runs last, alone, for the same reason.
# The fleet suites (PostgreSQL servers of their own, and several daemons) get the last pass, for
# the same reason.
# The stream-switch test and the 10-stream ingest-crash test each run alone too: both hold many
# real-time senders and processes, and the crash test asserts that no other stream misses a frame.
# So does the nginx-rtmp discovery test, which times publish-to-alert against a 10 s bound, and the
# test that measures live streams' sample lag while a burst of scan jobs runs, and the scan-job
# suite: its jobs read at nice 19 and would wait for every other test's work.
HEAVY_HASHING_TESTS = VPDQCompatibilityTests|MemoryBoundTests|BankReloadMemoryTests|PDQPropertyTests
FLEET_TESTS = FleetProcesses|ClusterSchemaTests|StreamLeasesTests|OutboxContractTests|StoreContractTests|FleetBanksTests|ScanJobStoreContractTests
ALONE_TESTS = StreamHealthLiveTests|IngestIsolationTests|NginxDiscoveryTests|ScanLivePriorityTests|ScanJobsServeTests
# Suites that drive outside programs for long (schemathesis, the threatexchange CLI, the built
# binary under systemd's protocols or a pseudo-terminal, daemons playing whole clips) get a pass
# of their own after the parallel one: among its hundreds of tests they starved the timed ones.
# The storage-fault suite (a tmpfs filled while alerts flow, a database locked by sqlite3) joins
# them: its recovery deadlines were missed once in the parallel pass.
TOOL_TESTS = OpenAPITests|ThreatExchangeTests|ServeSystemdTests|SystemdNotifierTests|GrafanaDashboardTests|ScanProgressTests|AllowListServeTests|FileStreamDigestTests|StorageFaultTests
test: reference build
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip 'EndToEndTests|$(FLEET_TESTS)|$(HEAVY_HASHING_TESTS)|$(ALONE_TESTS)|$(TOOL_TESTS)'
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter '$(TOOL_TESTS)'
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter '$(HEAVY_HASHING_TESTS)'
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter EndToEndTests
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter StreamHealthLiveTests
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter IngestIsolationTests
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter NginxDiscoveryTests
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter ScanLivePriorityTests
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter ScanJobsServeTests
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter '$(FLEET_TESTS)'
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

# libFuzzer: VIGIL_FUZZ=1 rebuilds Vigil's modules with coverage and address-sanitizer
# instrumentation (in the same build folder: the dependencies are reused; the next plain build
# recompiles Vigil's modules) and links the harness. `make test` ends with a short run of each
# target; `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS = 15
fuzz: deps
	VIGIL_FUZZ=1 $(SWIFT) build --product vigil-fuzz
	bash scripts/fuzz.sh $(BIN_DEBUG)/vigil-fuzz $(FUZZ_SECONDS)

demo: build
	@bash scripts/demo.sh $(BIN_DEBUG)/vigil
	@bash scripts/serve-demo.sh $(BIN_DEBUG)/vigil

bench: reference release
	bash Benchmarks/run.sh

clean:
	rm -rf .build .reference-venv
