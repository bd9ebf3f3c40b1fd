# Berdaya: the make targets are the user interface. `make up` starts everything, `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SERVICES := registry training marketplace monitoring

export KAFKA_BOOTSTRAP_SERVERS ?= 127.0.0.1:9092
export DATABASE_URL ?= postgresql://berdaya:berdaya@127.0.0.1:5433/berdaya_test

include deploy/stack.mk

.PHONY: help install up down status test test-fast bench faults demo schemas lint

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	$(PIP) install -q -e shared $(foreach s,$(SERVICES),$(if $(wildcard services/$(s)/pyproject.toml),-e services/$(s)))
	touch $@

install: $(VENV)/.installed ## create the virtual environment with pinned packages

test: install stack-up ## the whole test suite against real Kafka and PostgreSQL (starts them if needed)
	$(PY) -m pytest

test-fast: install ## contract and unit tests only (no broker or database needed)
	$(PY) -m pytest tests/foundation/test_contracts.py

schemas: install ## regenerate the published JSON Schemas of the events
	$(PY) -m berdaya_shared.contracts.export

lint: install ## ruff
	$(VENV)/bin/ruff check shared services tests
