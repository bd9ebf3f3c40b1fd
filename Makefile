# Berdaya: the make targets are the user interface. `make up` starts everything, `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SERVICES := registry training marketplace monitoring

export KAFKA_BOOTSTRAP_SERVERS ?= 127.0.0.1:$(or $(KAFKA_PORT),9092)
export DATABASE_URL ?= postgresql://berdaya:berdaya@127.0.0.1:$(or $(PG_PORT),5433)/berdaya_test
export KEYCLOAK_URL ?= http://127.0.0.1:$(or $(KEYCLOAK_PORT),8080)
# The services trust the stack's realm (OIDC discovery) and sign staff in with the secrets its sync generated.
export AUTH_ISSUER ?= $(KEYCLOAK_URL)/realms/berdaya
export AUTH_CLIENT_SECRETS_FILE ?= $(or $(KEYCLOAK_DIR),$(or $(BERDAYA_DATA_DIR),$(CURDIR)/deploy/.data)/keycloak)/realm-berdaya.secrets.json

include deploy/stack.mk

.PHONY: help system install up down status users services-up services-down demo demo-stop subscriber test test-fast schemas \
	lint backup restore dlq soak

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

system: ## install the Debian packages that are missing (as root; otherwise prints the one command to run)
	bash deploy/system.sh

$(VENV)/.installed: requirements.txt shared/contracts/pyproject.toml shared/kit/pyproject.toml $(wildcard services/*/pyproject.toml)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	$(PIP) install -q -e shared/contracts -e shared/kit $(foreach s,$(SERVICES),$(if $(wildcard services/$(s)/pyproject.toml),-e services/$(s)))
	touch $@

# The official AsyncAPI JSON Schemas (npm package @asyncapi/specs) and parser (@asyncapi/parser), pinned: the
# contract tests validate the published AsyncAPI document with them without fetching anything while they run.
ASYNCAPI_NPM := @asyncapi/specs@6.11.1 @asyncapi/parser@3.6.6
ASYNCAPI_SPECS := deploy/.data/npm/.installed-specs-6.11.1-parser-3.6.6
$(ASYNCAPI_SPECS):
	mkdir -p deploy/.data/npm
	npm install --prefix deploy/.data/npm --no-save --no-audit --no-fund --ignore-scripts $(ASYNCAPI_NPM)
	touch $@

# Prometheus' promtool (the alert-rule tests), from Debian's package without installing it.
PROMTOOL := deploy/.data/tools/promtool
$(PROMTOOL):
	bash deploy/tools.sh promtool >/dev/null

# The browser tests: axe-core (npm, pinned; its own prefix, since npm prunes what another install put beside it)
# checks every page for accessibility; Playwright drives Debian's Chromium (deploy/system.sh installs it when missing).
AXE_CORE := deploy/.data/npm/axe-core-4.14.1/node_modules/axe-core/axe.min.js
$(AXE_CORE):
	mkdir -p deploy/.data/npm/axe-core-4.14.1
	npm install --prefix deploy/.data/npm/axe-core-4.14.1 --no-save --no-audit --no-fund --ignore-scripts axe-core@4.14.1

install: system $(VENV)/.installed $(ASYNCAPI_SPECS) $(AXE_CORE) $(PROMTOOL) ## Debian packages (chromium...), the virtual environment with pinned packages, test tools

up: install stack-up ## start Kafka, PostgreSQL, Keycloak and the four services, load demo data, print the URLs
	@if [ "$$(bash deploy/stack.sh status >/dev/null 2>&1; echo $$?)" != 0 ]; then echo "stack not running"; exit 1; fi
	bash deploy/services.sh up
	$(PY) -m deploy.demo load
	MONITORING_DATABASE_URL=$${MONITORING_DATABASE_URL:-postgresql://$${PG_USER:-berdaya}:$${PG_PASSWORD:-berdaya}@127.0.0.1:$${PG_PORT:-5433}/berdaya_monitoring} \
	  $(PY) -m monitoring release --wait-quiet 5
	@echo
	@echo "Berdaya is up (make status shows it, make down stops it):"
	@echo "  dashboard     http://127.0.0.1:$${MONITORING_PORT:-8004}/"
	@echo "  registry      http://127.0.0.1:$${REGISTRY_PORT:-8001}/docs"
	@echo "  training      http://127.0.0.1:$${TRAINING_PORT:-8002}/docs"
	@echo "  marketplace   http://127.0.0.1:$${MARKETPLACE_PORT:-8003}/docs"
	@echo "  monitoring    http://127.0.0.1:$${MONITORING_PORT:-8004}/docs"
	@echo "  AsyncAPI      http://127.0.0.1:$${MONITORING_PORT:-8004}/asyncapi"
	@echo "  live demo     make demo   (a trickle of activity; stops with make down)"
	@echo "  sign in       $(KEYCLOAK_URL)/realms/berdaya/account/   (demo staff per OPD and their passwords: make users)"
	@echo "  subscribers   make subscriber NAME=<agency>   (Kafka principal ext.<agency>, its ACLs and a generated"
	@echo "                password in deploy/.data/kafka/subscribers/; ACTION=list|revoke; docs/subscribing.md)"

down: ## stop the demo simulator, the services, Keycloak, Kafka and PostgreSQL
	-@bash deploy/demo.sh stop
	bash deploy/services.sh down
	bash deploy/stack.sh down

status: ## one table: the stack and each service's readiness
	-@bash deploy/stack.sh status
	@bash deploy/services.sh status

users: ## where to sign in, the demo staff with their generated passwords, the machine clients
	@bash deploy/keycloak.sh users

services-up: install ## start only the four services (the stack must run)
	bash deploy/services.sh up

services-down: ## stop only the four services
	bash deploy/services.sh down

demo: install ## keep producing realistic activity through the APIs so the dashboard moves
	bash deploy/demo.sh start

demo-stop: ## stop the activity simulator
	bash deploy/demo.sh stop

subscriber: install ## a subscribing agency's Kafka principal and ACLs: NAME=<agency> [ACTION=add|list|revoke]
	$(PY) -m deploy.kafka subscriber $(or $(ACTION),add) $(NAME)

test: install stack-up ## the whole test suite against real Kafka, PostgreSQL and Keycloak (starts them if needed)
	$(PY) -m pytest

test-fast: install ## the unit layer: contracts, domain rules and every command handler on fakes (no broker or database)
	$(PY) -m pytest -q tests/unit tests/foundation/test_contracts.py tests/foundation/test_layers.py

bench: install stack-up ## benchmarks beside the machine's limits (BENCH_EVENTS=1000000 for the 1M replay)
	$(PIP) install -q -r bench/requirements.txt
	$(PY) -m bench

faults: install stack-up ## the fault suite: broker/service/database failures under load, poison, bad input; prints the fault table; the disclosure attack suite, long
	$(PY) -m pytest tests/faults -q -p no:cacheprovider
	ATTACK_EXAMPLES=$${ATTACK_EXAMPLES:-150} $(PY) -m pytest tests/disclosure -q -p no:cacheprovider

schemas: install ## regenerate the published JSON Schemas and the AsyncAPI document of the events
	$(PY) -m berdaya_contracts.export
	$(PY) -m berdaya_shared.asyncapi

soak: install stack-up ## the four services under a steady command rate for an hour (SOAK_SECONDS, SOAK_RATE); checks memory, lag, drain
	$(PY) -m bench.soak

backup: install ## pg_dump every service database and Keycloak's into deploy/.data/backups/<timestamp>/ with a manifest
	$(PY) -m deploy.backup backup

restore: install ## stop the services and Keycloak, restore the newest backup (or BACKUP=<folder>); then make up
	bash deploy/services.sh down
	bash deploy/keycloak.sh down
	$(PY) -m deploy.backup restore $(BACKUP)
	@echo "restored: start everything again with make up"

dlq: install ## dead letters: ARGS="list" (default) | "show <consumer> <offset>" | "resend <consumer> <offset>... | --all"
	@eval "$$(bash deploy/stack.sh env)" && $(PY) -m berdaya_shared.dlq $(or $(ARGS),list)

lint: install ## ruff
	$(VENV)/bin/ruff check shared services tests deploy bench
