# Make targets for the local Kafka + PostgreSQL stack without Docker (deploy/stack.sh).
# Included by the root Makefile; ports come from the environment: KAFKA_PORT (9092), PG_PORT (5433).

# Path of stack.sh relative to where make runs, taken while this file is the last one read.
STACK_SH := bash $(dir $(lastword $(MAKEFILE_LIST)))stack.sh

.PHONY: bootstrap stack-up stack-down stack-status stack-env stack-reset topics

bootstrap: ## install what the local stack lacks: PostgreSQL (apt), Kafka jars (mvn), aiokafka
	$(STACK_SH) bootstrap

stack-up: ## start PostgreSQL (:5433) and Kafka (:9092), create databases and topics; idempotent
	$(STACK_SH) up

stack-down: ## stop Kafka and PostgreSQL, leaving no process or port behind
	$(STACK_SH) down

stack-status: ## one line per component: running/stopped and port
	$(STACK_SH) status

stack-env: ## print export lines for KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL
	@$(STACK_SH) env

stack-reset: ## stop the stack and delete its Kafka and PostgreSQL data (keeps the jars)
	$(STACK_SH) reset

topics: ## create the missing Kafka topics from shared/contracts/berdaya_contracts/topics.py
	$(STACK_SH) topics
