# Two entry points work on a fresh machine with only Python 3.11 and the package registries:
#   make demo   offline crawl of the bundled replica sites -> data/demo/<site>/*.jsonl
#   make test   the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m replica.demo

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests

lint: $(STAMP)
	$(VENV)/bin/ruff check crawler replica tests $(wildcard bench)
	$(VENV)/bin/ruff format --check crawler replica tests $(wildcard bench)

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf data/demo bench/out .pytest_cache
