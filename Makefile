# newscrawl: every target sets up its own virtual environment in .venv/ first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PAGES ?= 20000

.PHONY: demo test test-fast lint bench bench-extract bench-ir clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: venv
	$(BIN)/newscrawl demo

# Two passes: every test but the `serial` ones in TEST_WORKERS processes (pytest-xdist; most
# tests wait on crawls, servers and timeouts rather than the CPU: 18 min in one process, ~10 in
# two on a 2-core machine), then the `serial` tests alone (one stops the shared PostgreSQL).
TEST_WORKERS ?= 2

test: venv
	$(BIN)/ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not serial"
	$(BIN)/python -m pytest -m serial

# The quick loop: only the tests marked `pure` by tests/conftest.py (no process, server,
# PostgreSQL or Redis; parsing and pure units), under a minute. `make test` still runs everything.
test-fast: venv
	$(BIN)/ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -m pure

lint: venv
	$(BIN)/ruff check .
	$(BIN)/python -m mypy

# Crawl throughput: bare Scrapy vs a naive build vs newscrawl on a generated local site
# (benchmarks/bench_throughput.py; PAGES=N sets the size). nginx and wrk are installed with
# apt-get only when absent; when that is impossible the benchmark uses its own Python
# server/client instead and says so in benchmarks/results/throughput-latest.json.
bench: venv
	@for tool in nginx wrk; do \
	  if ! command -v $$tool >/dev/null 2>&1 && ! test -x /usr/sbin/$$tool; then \
	    if [ "$$(id -u)" = 0 ]; then sudo=""; \
	    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	    else sudo=none; fi; \
	    if [ "$$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "bench: installing $$tool with apt-get"; \
	      $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$tool >/dev/null 2>&1 \
	      || { $$sudo apt-get update -q >/dev/null 2>&1 \
	           && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$tool >/dev/null 2>&1; } \
	      || echo "bench: could not install $$tool; using the Python fallback"; \
	    else echo "bench: $$tool missing and not installable here; using the Python fallback"; fi; \
	  fi; \
	done
	$(BIN)/python -m benchmarks.bench_throughput --pages $(PAGES)

# Body F1 and speed vs trafilatura (extract-latest.json), then every dev set's headline figures
# (quality-latest.json; the floors the quality gate holds them to are in benchmarks/quality-floors.json).
bench-extract: venv
	$(BIN)/python -m benchmarks.bench_extract
	$(BIN)/python -m benchmarks.bench_quality

# Instructions a parse worker executes per page (valgrind's callgrind; the same on every run,
# whatever the machine's load): benchmarks/bench_instructions.py, instructions-latest.json.
# BASELINE=path compares with an earlier result file. valgrind is installed with apt-get when absent.
bench-ir: venv
	@command -v valgrind >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
	  echo "bench-ir: installing valgrind with apt-get"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind >/dev/null 2>&1 \
	  || { $$sudo apt-get update -q >/dev/null 2>&1 \
	       && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind >/dev/null 2>&1; } \
	  || echo "bench-ir: could not install valgrind"; }
	$(BIN)/python -m benchmarks.bench_instructions $(if $(BASELINE),--baseline $(BASELINE))

clean:
	rm -rf $(VENV) .pytest_cache newscrawl.db newscrawl.db-wal newscrawl.db-shm
