# The two commands (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: set everything up and run the main job on the bundled demo corpus
demo: $(STAMP)
	$(BIN)/parley --db demo.db demo

## system-deps: PostgreSQL and Chromium for the store and browser tests
system-deps:
	bash scripts/install-system-deps.sh

## test: set everything up and run the whole test suite
test: $(STAMP) system-deps
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo.db build *.egg-info
