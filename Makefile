# Two commands do all the set-up (see README.md):
#   make run   - install, build the SQLite demo database if absent, start the dashboard on :8050
#   make test  - install the test dependencies and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run test install install-test screenshots bench

# The demo quickstart runs with sign-in off, and every page says so ("演示模式: 未启用登录").
# For sign-in: make run KPI_AUTH=on, after `kpi-dashboard user add` (see README).
KPI_AUTH ?= off

run: install
	$(BIN)/kpi-dashboard init-db --demo
	KPI_AUTH=$(KPI_AUTH) $(BIN)/kpi-dashboard serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest --headless $(PYTEST_ARGS)

$(VENV)/bin/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml $(VENV)/bin/pip
	$(BIN)/pip install --quiet -e .
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: pyproject.toml $(VENV)/bin/pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

screenshots: install-test
	$(BIN)/python scripts/screenshots.py

bench: install-test
	$(BIN)/python bench/bench_foundation.py
