# studycli: every target sets up what it needs from a bare Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run drill today test test-fast test-slow lint bench clean readme

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)  ## today's drill on the bundled content
	$(BIN)/studycli today
	$(BIN)/studycli drill

drill: run

today: $(STAMP)
	$(BIN)/studycli today

test: $(STAMP)  ## the suite without the long fault-injection runs (see test-slow)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow"

test-fast: $(STAMP)  ## the inner loop: the suite without the pseudo-terminal and slow runs
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow and not terminal"

test-slow: $(STAMP)  ## the long runs: 200+ killed drills, thousands of fuzz cases
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow

lint: $(STAMP)
	$(BIN)/ruff check studycli tests bench
	$(BIN)/ruff format --check studycli tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)  ## speed and size figures, side by side with Anki; writes bench/results.json
	@test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install -q --upgrade pip
	.venv-bench/bin/python -m pip install -q anki
	$(BIN)/python bench/run.py --anki-python .venv-bench/bin/python

clean:
	rm -rf $(VENV) .venv-bench bench/work build dist *.egg-info

readme: $(STAMP)  ## refresh the --help of every command in README.md
	$(BIN)/python docs/readme_help.py
