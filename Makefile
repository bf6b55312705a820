# studycli: every target sets up what it needs from a bare Python 3.11+.
# One .venv, one stamp per set of extras: `make run` installs the runtime only,
# `make test` adds the test tools, `make lint` the linters; each installs only once
# per change of pyproject.toml.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
LINT_STAMP := $(VENV)/.installed-lint

.PHONY: run drill today test test-fast test-slow lint bench clean readme

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(RUN_STAMP)

$(LINT_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[llm,lint]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)  ## today's drill on the bundled content
	$(BIN)/studycli today
	$(BIN)/studycli drill

drill: run

today: $(RUN_STAMP)
	$(BIN)/studycli today

test: $(TEST_STAMP)  ## the suite without the long fault-injection runs (see test-slow)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow"

test-fast: $(TEST_STAMP)  ## the inner loop: the suite without the pseudo-terminal and slow runs
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow and not terminal"

test-slow: $(TEST_STAMP)  ## the long runs: 200+ killed drills, thousands of fuzz cases
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow

lint: $(LINT_STAMP)
	$(BIN)/ruff check studycli tests bench
	$(BIN)/ruff format --check studycli tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(TEST_STAMP)  ## speed and size figures, side by side with Anki; writes bench/results.json
	@test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install -q --upgrade pip
	.venv-bench/bin/python -m pip install -q anki
	$(BIN)/python bench/run.py --anki-python .venv-bench/bin/python

clean:
	rm -rf $(VENV) .venv-bench bench/work build dist *.egg-info

readme: $(RUN_STAMP)  ## refresh the --help of every command in README.md
	$(BIN)/python docs/readme_help.py
