"""Kafka topic names and their layout: a contract with every producer and subscriber."""

from dataclasses import dataclass

REGISTRY_EVENTS = "registry.events"
TRAINING_EVENTS = "training.events"
MARKETPLACE_EVENTS = "marketplace.events"
MONITORING_INDICATORS = "monitoring.indicators"

EVENT_TOPICS = (REGISTRY_EVENTS, TRAINING_EVENTS, MARKETPLACE_EVENTS)

# Services that consume events; each has a consumer group of its own name and a dead-letter topic.
CONSUMERS = ("registry", "training", "marketplace", "monitoring")

EVENT_TOPIC_PARTITIONS = 6
DLQ_PARTITIONS = 1


def dlq_topic(consumer: str) -> str:
    return f"dlq.{consumer}"


def physical(topic: str, namespace: str = "") -> str:
    """The topic's name on the cluster: a namespace lets several environments (a test run, a staging
    copy) share one cluster without seeing each other's events. Production uses no namespace."""
    return f"{namespace}.{topic}" if namespace else topic


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def all_topics(replication_factor: int = 1) -> list[TopicSpec]:
    """Every topic the platform needs, with partition count and configuration.

    Event topics keep their whole history: projections are rebuilt from offset zero.
    """
    forever = {"retention.ms": "-1", "min.insync.replicas": str(min(2, replication_factor))}
    specs = [TopicSpec(t, EVENT_TOPIC_PARTITIONS, forever) for t in EVENT_TOPICS]
    specs.append(TopicSpec(MONITORING_INDICATORS, EVENT_TOPIC_PARTITIONS, {"retention.ms": "-1"}))
    specs += [TopicSpec(dlq_topic(c), DLQ_PARTITIONS, {"retention.ms": "-1"}) for c in CONSUMERS]
    return specs
