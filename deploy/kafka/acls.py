"""Kafka principals and their ACLs, as code (DESIGN.md §8 "Kafka trust"). Pure data: deploy/kafka/admin.py applies
it to a cluster, idempotently (``python -m deploy.kafka sync``, run by ``deploy/stack.sh up``).

The broker runs KRaft's ``StandardAuthorizer`` with ``allow.everyone.if.no.acl.found=false``: whatever is not
allowed here is refused. Principals (SASL/SCRAM-SHA-512 user names) and what they may do:

- ``berdaya-broker`` (brokers, inter-broker listener), ``berdaya-controller`` (KRaft controllers, SASL PLAIN from
  the node's own configuration), ``berdaya-admin`` (the stack's own tooling only: topics, ACLs, credentials, the
  tests' setup): everything (``super.users``).
- ``<ns.>registry``, ``<ns.>training``, ``<ns.>marketplace``, ``<ns.>monitoring``, one per service: write its event
  topic and its dead-letter topic (``WRITES``), read the topics it consumes (``READS``), consumer groups starting
  with its own name (monitoring's rebuild groups ``monitoring-rebuild-<id>`` included).
- ``<ns.>ext.<agency>``, a subscribing agency: read the three event topics and ``monitoring.indicators``, consumer
  groups starting with ``ext.<agency>.``; never a dead-letter topic, never a write.

Namespaces (``TOPIC_NAMESPACE=x``): every principal and every resource name carries ``x.``, so a staging copy's
principals can touch only the staging copy's topics and groups. A namespace may not be ``ext`` nor start with a
service's name: its principals or groups would then fall inside another copy's names or prefixes.

Producers are idempotent (``enable_idempotence=True``); since Kafka 3.0 (KIP-679) a producer id is granted to any
principal that may write some topic, so no cluster ``IdempotentWrite`` permission is needed
(tests/foundation/test_kafka_security.py runs every service on exactly these ACLs).
"""

import re
from dataclasses import dataclass

from berdaya_contracts.topics import (
    EVENT_TOPICS,
    MARKETPLACE_EVENTS,
    MONITORING_INDICATORS,
    REGISTRY_EVENTS,
    TRAINING_EVENTS,
    dlq_topic,
    physical,
)

BROKER = "berdaya-broker"
CONTROLLER = "berdaya-controller"
ADMIN = "berdaya-admin"
SUPER_USERS = (BROKER, CONTROLLER, ADMIN)

# What each service writes and what it reads (the tests compare this with each service's own ServiceSpec).
WRITES: dict[str, tuple[str, ...]] = {
    "registry": (REGISTRY_EVENTS, dlq_topic("registry")),
    "training": (TRAINING_EVENTS, dlq_topic("training")),
    "marketplace": (MARKETPLACE_EVENTS, dlq_topic("marketplace")),
    "monitoring": (MONITORING_INDICATORS, dlq_topic("monitoring")),
}
READS: dict[str, tuple[str, ...]] = {
    "registry": (TRAINING_EVENTS, MARKETPLACE_EVENTS),  # each woman's journey
    "training": (REGISTRY_EVENTS,),
    "marketplace": (REGISTRY_EVENTS,),
    "monitoring": EVENT_TOPICS,
}
SERVICES = tuple(WRITES)
SUBSCRIBER_TOPICS = (*EVENT_TOPICS, MONITORING_INDICATORS)
SUBSCRIBER_PREFIX = "ext."

AGENCY = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
NAMESPACE = re.compile(r"^[a-z0-9-]*$")


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW rule for ``User:<principal>`` from any host."""

    principal: str
    resource: str  # "topic" | "group"
    name: str
    pattern: str  # "literal" | "prefixed"
    operation: str  # "read" | "write"


def check_namespace(namespace: str) -> str:
    """The namespace, or ValueError when it is malformed or reserved."""
    if not NAMESPACE.match(namespace):
        raise ValueError(f"namespace {namespace!r}: lower-case letters, digits and '-' only")
    if namespace == "ext" or any(namespace.startswith(s) for s in SERVICES):
        raise ValueError(f"namespace {namespace!r} is reserved: it may not be 'ext' nor start with a service's name")
    return namespace


def check_agency(agency: str) -> str:
    if not AGENCY.match(agency):
        raise ValueError(f"agency {agency!r}: 2-31 characters, lower-case letters, digits and '-', a letter first")
    return agency


def service_principal(service: str, namespace: str = "") -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    return physical(service, check_namespace(namespace))


def subscriber_principal(agency: str, namespace: str = "") -> str:
    return physical(f"{SUBSCRIBER_PREFIX}{check_agency(agency)}", check_namespace(namespace))


def subscriber_group_prefix(agency: str, namespace: str = "") -> str:
    """Every consumer group of the agency starts with this (``ext.bappeda.``, ``x.ext.bappeda.``)."""
    return subscriber_principal(agency, namespace) + "."


def agency_of(principal: str, namespace: str = "") -> str | None:
    """The agency of a subscriber principal of ``namespace``, else None."""
    head = physical(SUBSCRIBER_PREFIX, namespace)
    rest = principal.removeprefix(head) if principal.startswith(head) else None
    return rest if rest and AGENCY.match(rest) else None


def service_acls(service: str, namespace: str = "") -> list[Acl]:
    who = service_principal(service, namespace)
    rules = [Acl(who, "topic", physical(t, namespace), "literal", "write") for t in WRITES[service]]
    rules += [Acl(who, "topic", physical(t, namespace), "literal", "read") for t in READS[service]]
    if READS[service]:  # its own group and the rebuild's fresh groups (monitoring-rebuild-<id>)
        rules.append(Acl(who, "group", physical(service, namespace), "prefixed", "read"))
    return sorted(rules)


def subscriber_acls(agency: str, namespace: str = "") -> list[Acl]:
    who = subscriber_principal(agency, namespace)
    rules = [Acl(who, "topic", physical(t, namespace), "literal", "read") for t in SUBSCRIBER_TOPICS]
    rules.append(Acl(who, "group", subscriber_group_prefix(agency, namespace), "prefixed", "read"))
    return sorted(rules)


def namespace_acls(namespace: str = "") -> dict[str, list[Acl]]:
    """Principal → its rules, for the four services of one namespace."""
    return {service_principal(s, namespace): service_acls(s, namespace) for s in SERVICES}
