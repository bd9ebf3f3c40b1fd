"""python -m deploy.kafka COMMAND — the secured Kafka installation of the local stack (run by deploy/stack.sh).

  prepare          make the secrets (passwords, CA, broker certificate) and write the node's server.properties
  format-args      the StorageTool ``--add-scram`` arguments (broker and admin credentials)
  sync             as the admin: SCRAM credentials and ACLs of every service principal (each kept namespace) and
                   subscriber, exactly as deploy/kafka/acls.py says; idempotent
  env              KEY=VALUE lines a Berdaya process needs to connect as a principal (--service or --principal)
  java-properties  Kafka's Java client properties of a principal (console tools)
  subscriber       add | list | revoke a subscribing agency (deploy/kafka/subscribers.py)

Defaults: the installation in $BERDAYA_DATA_DIR/kafka (deploy/.data/kafka), the broker at
127.0.0.1:$KAFKA_PORT (9092), the namespace $TOPIC_NAMESPACE (empty).
"""

import argparse
import asyncio
import os
import sys
from pathlib import Path

from . import acls, admin, broker, subscribers
from .credentials import Installation

DEPLOY = Path(__file__).resolve().parents[1]


def default_data() -> Path:
    return Path(os.environ.get("BERDAYA_DATA_DIR") or DEPLOY / ".data") / "kafka"


def default_bootstrap() -> str:
    return f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"


def prepare(args: argparse.Namespace, inst: Installation) -> int:
    inst.ensure()
    text = broker.render_template(DEPLOY / "kafka" / "server.properties", {
        "KAFKA_HOST": args.host, "KAFKA_CONTROLLER_PORT": str(args.controller_port), "KAFKA_LOG_DIR": args.log_dir})
    text += "\n" + broker.listeners(args.host, broker.Ports(args.port, args.internal_port, args.controller_port))
    text += "\n" + broker.security(inst)
    broker.write(Path(args.out), text)
    return 0


def sync(inst: Installation, bootstrap: str, namespace: str) -> list[str]:
    """Principals and ACLs of every kept namespace and subscriber; returns what changed, for the log."""
    acls.check_namespace(namespace)
    inst.keep_namespace(namespace)
    inst.ensure()
    wanted: dict[str, list[acls.Acl]] = {}
    for ns in inst.namespaces():
        wanted.update(acls.namespace_acls(ns))
    for principal in inst.subscribers():
        agency, ns = subscribers.parse(principal)
        wanted[principal] = acls.subscriber_acls(agency, ns)
    client = admin.client(inst.settings(acls.ADMIN, bootstrap))
    changed = [f"SCRAM credentials for {p}" for p in
               admin.upsert_scram(client, {p: inst.password(p, create=False) for p in wanted})]
    created, deleted = admin.sync_acls(client, wanted)
    changed += [f"ACL {a.principal}: {a.operation} {a.resource} {a.name} ({a.pattern})" for a in created]
    changed += [f"ACL removed: {d}" for d in deleted]
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.kafka", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data(), help="the installation's directory")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_ADMIN_BOOTSTRAP") or default_bootstrap())
    parser.add_argument("--namespace", default=os.environ.get("TOPIC_NAMESPACE", ""))
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--internal-port", type=int, required=True)
    p.add_argument("--controller-port", type=int, required=True)
    p.add_argument("--log-dir", required=True)
    p.add_argument("--out", required=True)
    sub.add_parser("format-args")
    sub.add_parser("sync")
    p = sub.add_parser("env")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--service", choices=acls.SERVICES)
    who.add_argument("--principal")
    p = sub.add_parser("java-properties")
    p.add_argument("--principal", default=acls.ADMIN)
    p.add_argument("--out", type=Path, required=True)
    subscribers.add_arguments(sub.add_parser("subscriber", help="add | list | revoke a subscribing agency"))
    args = parser.parse_args(argv)
    inst = Installation(args.data)

    if args.command == "prepare":
        return prepare(args, inst)
    if args.command == "format-args":
        print(" ".join(inst.ensure().scram_format_args()))
        return 0
    if args.command == "sync":
        for line in sync(inst, args.bootstrap, args.namespace):
            print(line)
        return 0
    if args.command == "env":
        principal = args.principal or acls.service_principal(args.service, args.namespace)
        try:
            env = inst.env(principal, args.bootstrap)
        except KeyError:
            print(f"no Kafka credentials for {principal}: run `TOPIC_NAMESPACE={args.namespace} make stack-up`",
                  file=sys.stderr)
            return 1
        print("\n".join(f"{k}={v}" for k, v in env.items()))
        return 0
    if args.command == "java-properties":
        inst.write_java_properties(args.principal, args.out, args.bootstrap)
        return 0
    return asyncio.run(subscribers.run(args, inst))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
