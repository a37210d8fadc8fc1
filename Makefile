# OneCode Trace: everything a newcomer needs is behind two commands, `make run` and `make test`.
# Requires Python 3.11+ and make; every other dependency is installed into .venv by these targets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install when the dependency list changes.
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
MO_FILES   := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint format bench translations translations-update api-spec clean help

help:
	@echo "make run    install, migrate, serve on http://127.0.0.1:5000 (SQLite under instance/)"
	@echo "make test   install the test extras and run the whole suite"
	@echo "make lint   ruff (lint + format check), mypy, import-linter"
	@echo "make bench  run the benchmarks in bench/ and write docs/PERFORMANCE.md"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "OneCode Trace needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(RUN_STAMP)

%.mo: %.po
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO_FILES)

translations-update: $(TEST_STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d app/translations --width 100 --ignore-obsolete

api-spec: $(TEST_STAMP)
	$(BIN)/python scripts/write_api_spec.py

run: $(RUN_STAMP) translations
	$(BIN)/onecode db upgrade
	$(BIN)/onecode demo load --if-empty
	$(BIN)/onecode serve

test: $(TEST_STAMP) translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy identifiers events app
	$(BIN)/lint-imports

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(TEST_STAMP) translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build instance/*.db* $(MO_FILES)
