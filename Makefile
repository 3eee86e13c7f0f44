# Vigil — build, test and demo entry points. `make help` lists them.

SWIFT ?= swift
# The debug build used by the tests and the demo hashes at optimised speed (see Package.swift).
export VIGIL_OPTIMIZED_DEBUG_HASHING = 1
BIN_DEBUG = .build/debug
BIN_RELEASE = .build/release

.PHONY: help deps reference build release test demo bench clean

help:
	@echo "make demo    build; hash the samples; scan edited copies against the sample bank;"
	@echo "             then run the daemon on two live sample streams and show the signed alert"
	@echo "make test    install what is missing, build, run every test"
	@echo "make bench   run the benchmarks side by side with the references (see BENCHMARKS.md)"
	@echo "make build   debug build;  make release   optimised build"

deps:
	@bash scripts/install-deps.sh

reference: deps
	@bash scripts/reference-venv.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The daemon's end-to-end latency test (frame to webhook within 2 s) runs on its own, after the
# rest, so the live-server suites' load on a 2-core machine does not stretch what it measures.
test: reference build
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip EndToEndTests
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test --skip-build --filter EndToEndTests

# The demo uses the debug build that `make test` also uses (the hashing core is optimised in it),
# so the two set-up commands share one build.
demo: build
	@bash scripts/demo.sh $(BIN_DEBUG)/vigil
	@bash scripts/serve-demo.sh $(BIN_DEBUG)/vigil

bench: reference release
	bash Benchmarks/run.sh

clean:
	rm -rf .build .reference-venv
