# newscrawl: every target sets up its own virtual environment in .venv/ first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PAGES ?= 20000

.PHONY: demo test lint bench bench-extract clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: venv
	$(BIN)/newscrawl demo

test: venv
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .

bench-extract: venv
	$(BIN)/python -m benchmarks.bench_extract

clean:
	rm -rf $(VENV) .pytest_cache newscrawl.db newscrawl.db-wal newscrawl.db-shm
