# The two commands of the README:
#   make demo   sets up the project and runs the whole platform on a generated demo landing zone
#   make test   sets up the project and runs every test (lint, structure, dbt build on test data, pytest)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_DIR := $(shell mktemp -d -u /tmp/cdp-lint.XXXXXX)

.PHONY: setup demo test lint dagster clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/cdp demo

lint: setup
	$(BIN)/ruff check cdp orchestration expectations tests bench
	mkdir -p $(LINT_DIR)
	CDP_WAREHOUSE=$(LINT_DIR)/lint.duckdb DBT_TARGET_PATH=$(LINT_DIR)/target DBT_LOG_PATH=$(LINT_DIR)/logs \
		$(BIN)/sqlfluff lint models data-tests --processes 2 --disable-progress-bar
	rm -rf $(LINT_DIR)

# two workers (the machine's two cores), a test file per worker so that its fixtures are built once
test: setup lint
	$(BIN)/pytest -n 2 --dist loadfile

dagster: setup
	@test -e "$${CDP_WAREHOUSE:-warehouse/cdp.duckdb}" || $(BIN)/cdp demo
	mkdir -p .dagster_home
	ln -sf ../orchestration/dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster instance concurrency set warehouse_writer 1
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m orchestration.definitions

clean:
	rm -rf target logs warehouse data .pytest_cache
