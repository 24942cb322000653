# Two commands on a fresh machine with python3 and make, in either order:
#   make demo   create .venv, install the plugin alone (editable, with pytest: all the example
#               suite needs), run the example suite in examples/
#   make test   install the dev tools into .venv too, run ruff, mypy --strict and the whole
#               test suite
# and the docs:
#   make docs   build the docs site from docs/ into docs/_build/html (in .venv-docs)
# The test matrix (noxfile.py; each session installs into a virtualenv in .nox/):
#   make test-lowest   the whole test suite on the lowest supported pytest (8.4.x) and Python
#   make test-newest   the whole test suite on the newest pytest 9.x
#   make test-pythons  the whole test suite on each other supported Python (python3.X)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The docs build has a virtualenv of its own: Sphinx, MyST and the theme, not the dev tools.
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed
# Extra options for sphinx-build, e.g. SPHINXFLAGS=-E to reread every page.
SPHINXFLAGS ?=
DEMO_STAMP := $(VENV)/.installed-demo
# Extra options for nox, e.g. NOXFLAGS=-R to reuse a session's virtualenv without reinstalling.
NOXFLAGS ?=
# The supported Pythons other than the one of .venv (python3 on CI machines: 3.11).
OTHER_PYTHONS ?= 3.10 3.12 3.13
# Extra options for the benchmark, e.g. BENCHFLAGS="--instructions -n 1000".
BENCHFLAGS ?=
# Extra options for the virtual-time benchmark, e.g. CLOCKBENCHFLAGS="--repeat 9 --no-reference".
CLOCKBENCHFLAGS ?=
# Extra options for the instruction counts, e.g. INSTRFLAGS="--sizes 100 300 -k strict".
INSTRFLAGS ?=
# Extra options for the scale runs (1,000 to 50,000 tests; about two hours under callgrind),
# e.g. SCALEFLAGS=--no-instructions for RSS, descriptors and CPU time alone (minutes).
SCALEFLAGS ?=

.PHONY: demo test lint typecheck unit test-lowest test-newest test-pythons docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/pytest examples

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

test: lint typecheck unit

# Warnings are errors (-W), every one is reported before failing (--keep-going), and every
# cross-reference must resolve (-n).
docs: $(DOCS_STAMP)
	$(DOCS_VENV)/bin/sphinx-build -W --keep-going -n -q $(SPHINXFLAGS) docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

$(DOCS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DOCS_VENV)/bin/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

test-lowest: $(STAMP)
	$(BIN)/nox $(NOXFLAGS) -s tests-lowest

test-newest: $(STAMP)
	$(BIN)/nox $(NOXFLAGS) -s tests-newest

test-pythons: $(STAMP)
	$(BIN)/nox $(NOXFLAGS) -s $(addprefix tests-,$(OTHER_PYTHONS))

# By hand, never in CI: timings of generated suites, ours against pytest-asyncio; then the
# real time of tests that sleep for virtual hours, ours against pytest-asyncio with looptime;
# then instructions per test and the plugin's fixed cost under callgrind (needs valgrind);
# then the per-test cost, RSS and open descriptors of suites of 1,000 to 50,000 tests.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCHFLAGS)
	$(BIN)/python benchmarks/clock.py $(CLOCKBENCHFLAGS)
	$(BIN)/python benchmarks/instructions.py $(INSTRFLAGS)
	$(BIN)/python benchmarks/scale.py $(SCALEFLAGS)

clean:
	rm -rf $(VENV) $(DOCS_VENV) docs/_build .venv-bench-ng .venv-bench-ref .venv-bench-looptime .venv-bench-instr .venv-bench-scale .venv-slope .nox build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
