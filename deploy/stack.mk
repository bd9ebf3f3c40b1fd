# Make targets for the local Kafka + PostgreSQL + Keycloak stack without Docker (deploy/stack.sh, deploy/keycloak.sh).
# Included by the root Makefile; ports come from the environment: KAFKA_PORT (9092), PG_PORT (5433),
# KEYCLOAK_PORT (8080), KEYCLOAK_MANAGEMENT_PORT (9000).

# Path of stack.sh relative to where make runs, taken while this file is the last one read.
STACK_SH := bash $(dir $(lastword $(MAKEFILE_LIST)))stack.sh
KEYCLOAK_SH := bash $(dir $(lastword $(MAKEFILE_LIST)))keycloak.sh

.PHONY: bootstrap stack-up stack-down stack-status stack-env stack-reset topics realm

bootstrap: ## install what the local stack lacks: PostgreSQL (apt), Kafka jars and Keycloak (mvn), aiokafka
	$(STACK_SH) bootstrap

stack-up: ## start PostgreSQL (:5433), Kafka (:9092) and Keycloak (:8080); create databases, topics, the realm; idempotent
	$(STACK_SH) up

stack-down: ## stop Keycloak, Kafka and PostgreSQL, leaving no process or port behind
	$(STACK_SH) down

stack-status: ## one line per component: running/stopped and port
	$(STACK_SH) status

stack-env: ## print export lines for KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL and KEYCLOAK_URL
	@$(STACK_SH) env

stack-reset: ## stop the stack and delete its Kafka, PostgreSQL and Keycloak data (keeps jars and distribution)
	$(STACK_SH) reset

topics: ## create the missing Kafka topics from shared/contracts/berdaya_contracts/topics.py
	$(STACK_SH) topics

realm: ## apply deploy/keycloak/realm-*.json to the running Keycloak (also done by every stack-up)
	$(KEYCLOAK_SH) sync
