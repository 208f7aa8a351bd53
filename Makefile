# Two commands on a fresh machine:  `make demo` (the cart service on the bundled sample data)
# and `make test` (every test: engine, connectors, and the Odoo addon when an Odoo 19 is found).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo demo-odoo test bench lint

demo: $(VENV)/.installed
	$(BIN)/fulfil serve

# The whole loop in a real Odoo 19 (ODOO_HOME, ODOO_PYTHON, PostgreSQL): see README "Demo in Odoo".
demo-odoo: $(VENV)/.installed
	$(BIN)/python -m tools.demo_odoo $(DEMO_ARGS)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python -m bench

lint: $(VENV)/.installed
	$(BIN)/ruff check .

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@
