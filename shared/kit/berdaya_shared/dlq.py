"""Dead letters: list each consumer's, show one, re-send chosen ones to their source topic once the cause is fixed.

    python -m berdaya_shared.dlq list [--consumer training] [--json]
    python -m berdaya_shared.dlq show training 3
    python -m berdaya_shared.dlq resend training 3 7 9        (or --all)

The inbox consumer (``messaging.consumer``) sends a record it cannot apply to ``dlq.<consumer>`` with headers
naming the error and the source (``dlq-error``, ``dlq-error-detail``, ``dlq-source-topic``/``-partition``/
``-offset``, ``dlq-consumer``, and the source's ``dlq-source-traceparent`` / ``dlq-source-correlation-id``). A
re-send publishes the record's value and key again on its source topic, with its correlation id and trace
context, and ``dlq-resent-from: <dlq topic>@<offset>``. Re-sending is harmless: every consumer of that topic
records applied event ids in its inbox, so an event already applied anywhere changes nothing there, and one sent
twice is applied once. The dead-letter topic itself is never changed (Kafka topics are append-only): its records
stay as the history of what failed.

Connection settings come from the environment (``MessagingSettings``: KAFKA_BOOTSTRAP_SERVERS, the principal,
TOPIC_NAMESPACE); the principal needs read on ``dlq.*`` and write on the event topics (the stack's admin
principal locally: ``make dlq`` uses it).
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from berdaya_contracts.topics import dlq_topic, physical

from .messaging.settings import MessagingSettings, kafka_client_kwargs
from .observability.logs import configure_logging

_PREFIX = "dlq."


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    offset: int
    at: str  # when it was dead-lettered (UTC, ISO 8601)
    error: str
    detail: str
    source_topic: str
    source_partition: int | None
    source_offset: int | None
    event_type: str | None
    event_id: str | None
    headers: dict[str, str]
    key: str | None
    value: str


def _text(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", errors="replace")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.lstrip("-").isdigit() else None


def dead_letter(consumer: str, record: Any) -> DeadLetter:
    """A ``dlq.<consumer>`` record as a ``DeadLetter``."""
    headers = {k: _text(v) for k, v in record.headers or ()}
    try:
        envelope = json.loads(record.value or b"")
    except ValueError:
        envelope = None
    envelope = envelope if isinstance(envelope, dict) else {}
    return DeadLetter(
        consumer=consumer, offset=record.offset,
        at=datetime.fromtimestamp(record.timestamp / 1000, UTC).isoformat(timespec="seconds"),
        error=headers.get("dlq-error", "?"), detail=headers.get("dlq-error-detail", ""),
        source_topic=headers.get("dlq-source-topic", ""),
        source_partition=_int(headers.get("dlq-source-partition")), source_offset=_int(headers.get("dlq-source-offset")),
        event_type=envelope.get("event_type") if isinstance(envelope.get("event_type"), str) else None,
        event_id=str(envelope["event_id"]) if envelope.get("event_id") else None,
        headers=headers, key=_text(record.key) if record.key is not None else None, value=_text(record.value),
    )


class DeadLetters:
    """Reads and re-sends dead letters on one cluster and namespace."""

    def __init__(self, settings: MessagingSettings | None = None) -> None:
        self.settings = settings or MessagingSettings()
        self.namespace = self.settings.topic_namespace

    def topic(self, consumer: str) -> str:
        return physical(dlq_topic(consumer), self.namespace)

    async def _admin(self, call: str, *args: Any) -> Any:
        admin = AIOKafkaAdminClient(**kafka_client_kwargs(self.settings), client_id="berdaya-dlq")
        await admin.start()
        try:
            return await getattr(admin, call)(*args)
        finally:
            await admin.close()

    async def consumers(self) -> list[str]:
        """The consumers that have a dead-letter topic in this namespace, by name."""
        topics = await self._admin("list_topics")
        prefix = physical(_PREFIX, self.namespace)
        return sorted(t[len(prefix):] for t in topics if t.startswith(prefix) and "." not in t[len(prefix):])

    async def read(self, consumer: str, offsets: Sequence[int] | None = None) -> list[DeadLetter]:
        """Every dead letter of ``consumer`` (or only those at ``offsets``), oldest first."""
        described = await self._admin("describe_topics", [self.topic(consumer)])
        if described[0]["error_code"]:
            raise LookupError(f"no topic {self.topic(consumer)} (error {described[0]['error_code']})")
        partitions = [TopicPartition(self.topic(consumer), p["partition"]) for p in described[0]["partitions"]]
        reader = AIOKafkaConsumer(**kafka_client_kwargs(self.settings), group_id=None, enable_auto_commit=False,
                                  client_id="berdaya-dlq")
        await reader.start()
        try:
            reader.assign(partitions)
            await reader.seek_to_beginning(*partitions)
            end = await reader.end_offsets(partitions)
            wanted = set(offsets) if offsets is not None else None
            found: list[DeadLetter] = []
            while [tp for tp in partitions if await reader.position(tp) < end[tp]]:
                for records in (await reader.getmany(timeout_ms=1000)).values():
                    found += [dead_letter(consumer, r) for r in records
                              if r.offset < end[TopicPartition(r.topic, r.partition)]
                              and (wanted is None or r.offset in wanted)]
            return sorted(found, key=lambda d: d.offset)
        finally:
            await reader.stop()

    async def resend(self, consumer: str, offsets: Sequence[int] | None) -> list[DeadLetter]:
        """Publish the dead letters at ``offsets`` (all when None) again on their source topics; returns them.

        Raises LookupError naming offsets that are not in the dead-letter topic, ValueError for a record that
        names no source topic."""
        letters = await self.read(consumer, offsets)
        missing = sorted(set(offsets or ()) - {d.offset for d in letters})
        if missing:
            raise LookupError(f"no dead letter at offset(s) {missing} of {self.topic(consumer)}")
        if any(not d.source_topic for d in letters):
            raise ValueError("a dead letter without dlq-source-topic cannot be re-sent")
        producer = AIOKafkaProducer(**kafka_client_kwargs(self.settings), enable_idempotence=True,
                                    client_id="berdaya-dlq")
        await producer.start()
        try:
            for letter in letters:
                headers = [("content-type", b"application/json"),
                           ("dlq-resent-from", f"{self.topic(consumer)}@{letter.offset}".encode())]
                for source, name in (("dlq-source-correlation-id", "correlation_id"),
                                     ("dlq-source-traceparent", "traceparent")):
                    if letter.headers.get(source):
                        headers.append((name, letter.headers[source].encode()))
                await producer.send_and_wait(letter.source_topic, letter.value.encode(),
                                             key=letter.key.encode() if letter.key is not None else None,
                                             headers=headers)
        finally:
            await producer.stop()
        return letters


def _line(d: DeadLetter) -> str:
    source = f"{d.source_topic}[{d.source_partition}]@{d.source_offset}"
    return f"  {d.offset:>6}  {d.at}  {d.error:<22} {d.event_type or '-':<32} {source:<36} {d.detail[:80]}"


async def _main(args: argparse.Namespace) -> int:
    tool = DeadLetters()
    if args.command == "list":
        consumers = [args.consumer] if args.consumer else await tool.consumers()
        letters = {c: await tool.read(c) for c in consumers}
        if args.json:
            print(json.dumps({c: [asdict(d) for d in ds] for c, ds in letters.items()}, ensure_ascii=False, indent=1))
            return 0
        for consumer, found in letters.items():
            print(f"{tool.topic(consumer)}: {len(found)} dead letter(s)")
            if found:
                print(f"  {'offset':>6}  {'dead-lettered at':<25}  {'error':<22} {'event type':<32} "
                      f"{'source topic[partition]@offset':<36} detail")
            for letter in found:
                print(_line(letter))
        return 0
    if args.command == "show":
        found = await tool.read(args.consumer, [args.offset])
        if not found:
            print(f"no dead letter at offset {args.offset} of {tool.topic(args.consumer)}", file=sys.stderr)
            return 1
        letter = asdict(found[0])
        try:
            letter["value"] = json.loads(letter["value"])
        except ValueError:
            pass
        print(json.dumps(letter, ensure_ascii=False, indent=2))
        return 0
    if not args.all and not args.offsets:
        print("name the offsets to re-send, or --all", file=sys.stderr)
        return 2
    try:
        sent = await tool.resend(args.consumer, None if args.all else args.offsets)
    except (LookupError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for letter in sent:
        print(f"re-sent {tool.topic(args.consumer)}@{letter.offset} to {letter.source_topic} "
              f"({letter.event_type or 'unreadable'} {letter.event_id or ''})")
    print(f"{len(sent)} dead letter(s) re-sent; consumers' inboxes apply each event once")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m berdaya_shared.dlq", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = sub.add_parser("list", help="each consumer's dead letters with their error headers")
    listing.add_argument("--consumer", help="only this consumer's (training, marketplace, monitoring, ...)")
    listing.add_argument("--json", action="store_true", help="as JSON, every header and value included")
    show = sub.add_parser("show", help="one dead letter: headers, key and value")
    show.add_argument("consumer")
    show.add_argument("offset", type=int)
    resend = sub.add_parser("resend", help="publish dead letters again on their source topic (after a fix)")
    resend.add_argument("consumer")
    resend.add_argument("offsets", type=int, nargs="*", help="offsets in the dead-letter topic")
    resend.add_argument("--all", action="store_true", help="every dead letter of the consumer")
    args = parser.parse_args(argv)
    configure_logging("dlq", "WARNING")
    try:
        return asyncio.run(_main(args))
    except LookupError as exc:  # a consumer without a dead-letter topic here
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
