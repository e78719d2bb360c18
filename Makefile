# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# One pytest worker per core (each with its own PostgreSQL database).
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,preview]"
	touch $(STAMP)

## run: start the server with a demo warehouse on SQLite (http://127.0.0.1:5000)
run: $(STAMP)
	$(BIN)/wms demo --if-empty
	$(BIN)/wms serve --host 127.0.0.1 --port 5000

## test: the whole suite, on SQLite and PostgreSQL, with Chromium for the pages
test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  (echo "installing Debian's chromium for the browser tests"; \
	   apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk socat)
	$(BIN)/ruff check wms tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check wms tests benchmarks
	$(BIN)/ruff format --check wms tests benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
