# Vigil — build, test and demo entry points. `make help` lists them.

SWIFT ?= swift
BIN_DEBUG = .build/debug
BIN_RELEASE = .build/release

.PHONY: help deps reference build release test demo bench clean

help:
	@echo "make demo    build, then hash the bundled sample clip and image"
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

test: reference build
	VIGIL_BINARY=$(CURDIR)/$(BIN_DEBUG)/vigil $(SWIFT) test

demo: release
	@bash scripts/demo.sh $(BIN_RELEASE)/vigil

bench: reference release
	bash Benchmarks/run.sh

clean:
	rm -rf .build .reference-venv
