# The verbs of the project. `make run` and `make test` install what they need on a fresh
# Debian machine (apt-get as root, or through sudo), then build, then run.

SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
# Debian packages the build and the tests need: the wasm toolchain (rustup has no wasm32 target
# here), the linker (LLVM 19's wasm-ld: the splitter needs relocations wasm-ld 14 drops), the
# browser with its WebDriver for the e2e tests, and the PostgreSQL and Redis
# servers the tests start on loopback (curl asks the S3 stand-in whether it is up), and systemd
# (`systemd-analyze verify` checks deploy/atende.service).
APT_PACKAGES := rustc-web cargo-web rust-web-src lld-19 chromium chromium-driver postgresql redis-server curl systemd
# wasm-bindgen-cli must match the wasm-bindgen the lockfile resolved, exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
# The splitter that cuts the SPA's lazy routes into chunks (scripts/build-spa.sh); its input format is
# the one leptos's wasm_split_helpers writes, so it moves with leptos.
WASM_SPLIT_VERSION := 0.2.4
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
# Python tools for the tests (the OpenAPI validator), in a virtualenv outside the clone.
PY_VENV := $(or $(ATENDE_VENV),$(HOME)/.cache/atende-venv)

.PHONY: help
help:
	@echo "make run      install what is missing, build the SPA and the server, serve on http://127.0.0.1:8080"
	@echo "make demo     make run with demo data: a simulator connection, agents and a few dozen conversations"
	@echo "make test     formatting, clippy, unit + HTTP tests, OpenAPI drift, browser tests"
	@echo "make ci       what .ci/run runs (make test)"
	@echo "make lint     formatting and clippy only"
	@echo "make openapi  regenerate openapi/openapi.json"
	@echo "make openapi-check  validate openapi/openapi.json against OpenAPI 3.1"
	@echo "make api-conformance  schemathesis and a generated client against the server (part of make test)"
	@echo "make spa      build the SPA into frontend/dist"
	@echo "make e2e      the browser tests only (every file of e2e/tests)"
	@echo "make faults   fault tests: kill -9 in an inbound flood, PostgreSQL/Redis restarts, a full disk,"
	@echo "              SIGTERM handover under load, deploy/ files validated, backup and restore"
	@echo "make bench    seed 100k tickets / 1M messages, measure the ticket list and live inbound (docs/benchmarks.md)"
	@echo "make fuzz     every fuzz target for FUZZ_SECS seconds (default 180); make fuzz-smoke: 20 s each (CI)"

# ---------------------------------------------------------------- installing
.PHONY: deps deps-apt deps-wasm-bindgen deps-wasm-split
deps: deps-apt deps-wasm-bindgen deps-wasm-split

deps-apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "==> installing Debian packages:" $$missing; \
		sudo_cmd=""; [ "$$(id -u)" = 0 ] || sudo_cmd="sudo"; \
		$$sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo_cmd apt-get install -y -qq $$missing; \
	fi

deps-wasm-bindgen:
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" != "$(WASM_BINDGEN_VERSION)" ]; then \
		echo "==> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes, once)"; \
		$(CARGO) install wasm-bindgen-cli --version "$(WASM_BINDGEN_VERSION)" --force; \
	fi

deps-wasm-split:
	@if ! $(CARGO) install --list | grep -q '^wasm_split_cli_support v$(WASM_SPLIT_VERSION):'; then \
		echo "==> installing wasm-split-cli $(WASM_SPLIT_VERSION) (a minute, once)"; \
		$(CARGO) install wasm_split_cli_support --version "$(WASM_SPLIT_VERSION)" --locked --features build-binary --force; \
	fi

# ---------------------------------------------------------------- building
.PHONY: spa server
spa: deps
	bash scripts/build-spa.sh

server:
	$(CARGO) build --release -p atende

# ---------------------------------------------------------------- running
.PHONY: run
run: spa server
	ATENDE_STATIC_DIR="$${ATENDE_STATIC_DIR:-$(CURDIR)/frontend/dist}" "$(TARGET_DIR)/release/atende" serve

.PHONY: seed-demo
seed-demo: server
	"$(TARGET_DIR)/release/atende" seed-demo

# `make run` with the demo data: migrates, seeds (a second time changes nothing), then serves.
.PHONY: demo
demo: spa server
	"$(TARGET_DIR)/release/atende" seed-demo
	ATENDE_STATIC_DIR="$${ATENDE_STATIC_DIR:-$(CURDIR)/frontend/dist}" "$(TARGET_DIR)/release/atende" serve

# ---------------------------------------------------------------- checking
# Every cargo command selects the whole workspace, so features unify the same way each time and
# dependencies are compiled once, not once per package selection.
.PHONY: test ci lint fmt e2e openapi
# Unit tests, the HTTP suite (real server on port 0, fresh database each), the OpenAPI drift test
# and the browser suite (the built SPA in headless Chromium against the real server binary, which
# `cargo test` builds before it runs any test). One test at a time: the browser tests each start a
# server, a ChromeDriver and a Chromium, which is plenty for two cores.
# Then the HTTP suite once more with every test on PostgreSQL. The cluster tests (two instances on
# one PostgreSQL and one Redis) run in both passes; scripts/test-services.sh starts the servers.
# The media store tests (backend/tests/api/object_store.rs) run in both passes against moto's S3
# server, which scripts/test-services.sh starts from the virtualenv.
test: lint spa openapi-check api-conformance-deps s3-deps
	eval "$$(bash scripts/test-services.sh)" && \
	ATENDE_BIN="$(TARGET_DIR)/debug/atende" $(CARGO) test --workspace -- --test-threads=1 && \
	ATENDE_TEST_BACKEND=postgres $(CARGO) test --workspace --test api
	$(API_CONFORMANCE)

ci: test faults
	$(MAKE) fuzz-smoke

# The checked-in OpenAPI document is valid OpenAPI 3.1 (the drift test keeps it equal to the code).
.PHONY: openapi-check
openapi-check:
	@[ -x "$(PY_VENV)/bin/python" ] || python3 -m venv "$(PY_VENV)"
	@"$(PY_VENV)/bin/python" -c "import openapi_spec_validator" 2>/dev/null || \
		"$(PY_VENV)/bin/pip" install -q "openapi-spec-validator>=0.7,<1"
	"$(PY_VENV)/bin/python" scripts/validate-openapi.py openapi/openapi.json

# The API against its document, from outside (scripts/api-conformance.py): the debug server on a
# free loopback port with a fresh data dir; schemathesis over every operation (bounded examples,
# as an admin's API token and as an agent) checking for 5xx and for undeclared statuses, content
# types and bodies; and a client generated by openapi-python-client making real calls.
# `make test` runs it last, on the server binary its `cargo test` built (no second build).
API_CONFORMANCE = "$(PY_VENV)/bin/python" scripts/api-conformance.py "$(TARGET_DIR)/debug/atende" openapi/openapi.json
.PHONY: api-conformance api-conformance-deps
api-conformance: api-conformance-deps
	$(CARGO) build -p atende
	$(API_CONFORMANCE)

api-conformance-deps: openapi-check
	@"$(PY_VENV)/bin/python" -c "import schemathesis, openapi_python_client" 2>/dev/null || \
		"$(PY_VENV)/bin/pip" install -q "schemathesis>=4.32,<4.33" "openapi-python-client>=0.29,<0.30"

# An S3-compatible server for the media store tests: moto's, in memory (PyPI; about 20 s, once).
.PHONY: s3-deps
s3-deps:
	@[ -x "$(PY_VENV)/bin/python" ] || python3 -m venv "$(PY_VENV)"
	@[ -x "$(PY_VENV)/bin/moto_server" ] || \
		"$(PY_VENV)/bin/pip" install -q "moto[s3]>=5.1,<6" "flask>=3,<4" "flask-cors>=5,<7"

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

e2e: spa
	$(CARGO) build -p atende
	ATENDE_BIN="$(TARGET_DIR)/debug/atende" $(CARGO) test -p atende-e2e --tests -- --test-threads=1

openapi:
	$(CARGO) run -q -p atende -- openapi > openapi/openapi.json

# ---------------------------------------------------------------- faults
# The real server binary under faults (backend/tests/faults): kill -9 in the middle of a 5,000-message
# webhook flood (SQLite and PostgreSQL), PostgreSQL stopped and started under it, Redis killed and
# started under two instances, a full disk on media writes. Each test starts its own PostgreSQL
# cluster or Redis server on a free port where it stops them; the shared ones come from
# scripts/test-services.sh. One test at a time: the flood wants both cores.
# Also a SIGTERM handover under load (two instances), and what docs/deploy.md ships: the systemd
# unit (`systemd-analyze verify`), the container recipe (BuildKit's parser from PyPI's `dockerfile`,
# in the virtualenv, plus scripts/check-containerfile.py) and scripts/backup-restore-check.sh.
.PHONY: faults faults-deps
# `clippy --all-targets` skips this target (`test = false`), so it is linted here.
faults: deps-apt faults-deps
	$(CARGO) clippy --workspace --test faults -- -D warnings
	eval "$$(bash scripts/test-services.sh)" && \
	ATENDE_VENV="$(PY_VENV)" $(CARGO) test --workspace --test faults -- --test-threads=1

faults-deps:
	@[ -x "$(PY_VENV)/bin/python" ] || python3 -m venv "$(PY_VENV)"
	@"$(PY_VENV)/bin/python" -c "import dockerfile" 2>/dev/null || \
		"$(PY_VENV)/bin/pip" install -q "dockerfile>=3.4,<4"

# ---------------------------------------------------------------- measuring
# The release server and the load generator (e2e/src/bin/bench.rs): a fresh dataset in
# $(TARGET_DIR)/bench-data (kept afterwards, for sqlite3), the server on a free loopback port.
# A few minutes after the build. It measures and prints; only a dead server or a scenario without
# data makes it fail. `make bench BENCH_ARGS=--quick` runs a tenth of it. Figures: docs/benchmarks.md.
# Then the same on PostgreSQL, and the inbound scenario on two instances + Redis, on servers of its
# own (the Debian packages of deps-apt; BENCH_ARGS=--no-postgres skips that part).
# Last, the SPA in headless Chromium against the release server (e2e/benches/spa.rs: the first
# screen's bytes and time, a 5,000-message conversation's frames); `cargo test --bench` builds it
# with the test profile, which the browser tests already compiled.
.PHONY: bench
bench: deps-apt spa server
	$(CARGO) build --release -p atende-e2e --bin bench
	"$(TARGET_DIR)/release/bench" --atende "$(TARGET_DIR)/release/atende" --data-dir "$(TARGET_DIR)/bench-data" $(BENCH_ARGS)
	ATENDE_BIN="$(TARGET_DIR)/release/atende" $(CARGO) test -q -p atende-e2e --bench spa

# ---------------------------------------------------------------- fuzzing
# cargo-fuzz (libFuzzer) over the parsers that take outside input, fuzz/fuzz_targets/*.rs. fuzz/ is its
# own workspace: the main build never compiles it, and its instrumented build lives apart in
# $(TARGET_DIR)/fuzz. On the stable toolchain: without a sanitizer cargo-fuzz passes only stable -C
# flags, and the oracle is Rust's own (panics, the targets' assertions, overflow checks and debug
# assertions, all on); the project's crates forbid unsafe code. FUZZ_SANITIZER=address also runs
# AddressSanitizer over the dependencies' unsafe code: -Zsanitizer, hence RUSTC_BOOTSTRAP=1 (and a
# second cold build). What libFuzzer finds goes to a scratch corpus beside the build; the checked-in
# seeds in fuzz/corpus/<target> are only read. A crash stops the run and leaves its input in
# fuzz/artifacts/<target>/ (`cargo fuzz run <target> <file>` replays it).
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS := webhook_payload simulator_payload webhook_signature phone_number ticket_search cursor
FUZZ_SECS ?= 180
FUZZ_SMOKE_SECS ?= 20
FUZZ_SANITIZER ?= none
FUZZ_DIR := $(TARGET_DIR)/fuzz
# make fuzz builds optimised; the CI smoke run builds unoptimised (-D), which costs less than half the
# CPU of a cold optimised build (7 against 18 CPU-minutes here) and still runs thousands of inputs a
# second on most targets. Target-specific, so fuzz-build inherits it.
FUZZ_MODE := -O --codegen-units 16
fuzz-smoke: FUZZ_MODE := -D
FUZZ_BUILD_FLAGS = $(FUZZ_MODE) -a --sanitizer $(FUZZ_SANITIZER) --target-dir "$(FUZZ_DIR)"
FUZZ_ENV := $(if $(filter-out none,$(FUZZ_SANITIZER)),RUSTC_BOOTSTRAP=1)

.PHONY: fuzz fuzz-smoke fuzz-build deps-cargo-fuzz
deps-cargo-fuzz:
	@if [ "$$($(CARGO) fuzz --version 2>/dev/null | awk '{print $$2}')" != "$(CARGO_FUZZ_VERSION)" ]; then \
		echo "==> installing cargo-fuzz $(CARGO_FUZZ_VERSION) (about a minute, once)"; \
		$(CARGO) install cargo-fuzz --version "$(CARGO_FUZZ_VERSION)" --locked; \
	fi

fuzz-build: deps-cargo-fuzz
	$(FUZZ_ENV) $(CARGO) fuzz build $(FUZZ_BUILD_FLAGS)

fuzz fuzz-smoke: fuzz-build
	@set -o pipefail; secs=$(if $(filter fuzz-smoke,$@),$(FUZZ_SMOKE_SECS),$(FUZZ_SECS)); \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p "$(FUZZ_DIR)/corpus/$$t"; \
		dict=""; [ -f "fuzz/dict/$$t.dict" ] && dict="-dict=fuzz/dict/$$t.dict"; \
		echo "==> fuzzing $$t for $${secs} s"; \
		$(FUZZ_ENV) $(CARGO) fuzz run $(FUZZ_BUILD_FLAGS) $$t "$(FUZZ_DIR)/corpus/$$t" "fuzz/corpus/$$t" -- \
			-max_total_time=$$secs -timeout=10 -print_final_stats=1 $$dict $(FUZZ_ARGS) 2>&1 \
			| sed -E '/^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|# Uses: /d' || exit 1; \
	done
