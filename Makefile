# AMO tiers-payant gateway. `make` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FUZZ_SECONDS ?= 75
SETTLE_CLAIMS ?= 100000 1000000
# make mutate: mutmut's version and parallel runs; what it mutates is [tool.mutmut] in pyproject.toml
MUTMUT_VERSION  ?= 3.8.1
MUTATE_CHILDREN ?= 2
# make bench-import: people generated, and the PostgreSQL server a scratch database is made on
IMPORT_PEOPLE  ?= 1000000
IMPORT_WORKERS ?=# the imports' reading processes (empty: one per core; 0: in process)
BENCH_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help install browser haproxy replicas bytecode demo serve test test-fast lint fmt bench bench-replicas bench-settle bench-import fuzz mutate lock clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the locked dependencies

demo: $(STAMP) ## run the gateway on SQLite with demo data (10,000 people) on 127.0.0.1:8000
	$(BIN)/amo-gateway demo

test: $(STAMP) browser haproxy ## run every test (PostgreSQL and Redis tests skip with a reason when absent)
	@$(MAKE) --no-print-directory bytecode
	$(BIN)/python -m pytest --durations=15

# The portal's browser tests drive Debian's chromium (Playwright pointed at it: no browser is
# downloaded). Installed when absent and we may; otherwise those tests skip (fail under CI).
CHROMIUM ?= /usr/bin/chromium
browser: ## install Debian's chromium for the browser tests, when absent (needs root)
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends chromium \
		|| { apt-get update -qq && apt-get install -y --no-install-recommends chromium; }; \
	else echo "chromium absent ($(CHROMIUM)): the browser tests will skip (apt-get install chromium)"; fi

# The replica tests (tests/e2e/test_replicas.py) put Debian's HAProxy in front of the gateways,
# run by the test with a generated configuration (no system service). Installed as chromium is.
HAPROXY ?= /usr/sbin/haproxy
haproxy: ## install Debian's haproxy for the replica tests, when absent (needs root)
	@if [ -x "$(HAPROXY)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends haproxy \
		|| { apt-get update -qq && apt-get install -y --no-install-recommends haproxy; }; \
	else echo "haproxy absent ($(HAPROXY)): the replica tests will skip (apt-get install haproxy)"; fi

REPLICAS ?= 2
replicas: $(STAMP) haproxy ## REPLICAS gateways (default 2) and a worker on PostgreSQL and Redis behind HAProxy, until Ctrl-C
	@$(MAKE) --no-print-directory bytecode
	$(BIN)/python -m tests.e2e.replica_stack --replicas $(REPLICAS)

# Every gateway a test starts imports the whole app: compiled once here, since an environment
# with PYTHONDONTWRITEBYTECODE set would otherwise compile it again in every process.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 domain fhir_profiles adapters gateway devtools bench tests >/dev/null

fuzz: $(STAMP) ## fuzz a real uvicorn, 75 s per fuzzer (OpenAPI, mutated FHIR bodies; FUZZ_SECONDS=N): no 5xx
	AMO_TEST_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -p no:cacheprovider --timeout=0 tests/fuzz

lint: $(STAMP) ## ruff, mypy --strict on domain/ and fhir_profiles/, import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain fhir_profiles
	$(BIN)/lint-imports

fmt: $(STAMP) ## format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) haproxy ## load-test a real uvicorn (ratios to a trivial endpoint); production (PostgreSQL, Redis, 1 then 2 replicas behind HAProxy); import 1,000,000 people; settle 100,000 claims
	@$(MAKE) --no-print-directory bytecode
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.replicas_run --replicas 1 2
	$(BIN)/python -m bench.import_run --people 1000000 --database-url $(BENCH_POSTGRES)
	$(BIN)/python -m bench.settle_run --claims 100000

bench-replicas: $(STAMP) haproxy ## warm eligibility through HAProxy with 1 then 2 replicas on PostgreSQL and Redis (wrk)
	@$(MAKE) --no-print-directory bytecode
	$(BIN)/python -m bench.replicas_run --replicas 1 2

bench-settle: $(STAMP) ## settle SETTLE_CLAIMS accepted claims on PostgreSQL (default 100000 1000000): time, peak memory
	$(BIN)/python -m bench.settle_run --claims $(SETTLE_CLAIMS)

bench-import: $(STAMP) ## import IMPORT_PEOPLE generated people (SQLite, PostgreSQL), then a change file under a gateway
	@$(MAKE) --no-print-directory bytecode
	$(BIN)/python -m bench.import_run --people $(IMPORT_PEOPLE) --database-url $(BENCH_POSTGRES) \
		$(if $(IMPORT_WORKERS),--workers $(IMPORT_WORKERS))

mutate: $(STAMP) ## mutation-test the domain rules and use cases with their unit tests (mutmut; slow, not in CI)
	$(BIN)/uv pip install --quiet --python $(BIN)/python mutmut==$(MUTMUT_VERSION)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATE_CHILDREN)
	$(BIN)/mutmut results > mutants/results.txt; cat mutants/results.txt
	@! grep -q survived mutants/results.txt || (echo "surviving mutants: kill them with tests" && false)

lock: ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --quiet -o requirements.lock

clean: ## remove the virtualenv and local state
	rm -rf $(VENV) var mutants .pytest_cache .mypy_cache .ruff_cache
