"""Subscribing agencies: ``make subscriber NAME=bappeda [ACTION=add|list|revoke]``
(``python -m deploy.kafka subscriber add bappeda``).

``add`` gives the agency a Kafka principal ``ext.<agency>`` (``<ns>.ext.<agency>`` in a namespace) with a generated
SCRAM password and the subscriber ACLs of deploy/kafka/acls.py (read the event topics and
``monitoring.indicators``, consumer groups ``ext.<agency>.*`` only), and writes what the agency receives to
``deploy/.data/kafka/subscribers/<principal>/`` (mode 700, outside git): ``client.env`` (the settings the Python
example of docs/subscribing.md reads), ``client.properties`` (the same for Kafka's Java tools) and ``ca.pem`` (the
CA certificate that verifies the broker), paths relative to that folder. ``revoke`` removes the ACLs, the
credentials and that folder; ``list`` shows every subscriber with what the cluster holds for it. Adding again keeps
the password and repairs the ACLs.

The agency's Keycloak client (for the HTTP APIs) is the other half of the same command. When the module
``deploy.keycloak.subscribers`` exists, each action calls it after the Kafka half:

    async def add_client(agency: str, namespace: str = "") -> dict[str, str]    # what to tell the agency
    async def list_clients(namespace: str = "") -> dict[str, dict[str, str]]  # agency -> its client's facts
    async def revoke_client(agency: str, namespace: str = "") -> bool          # False when there was none
"""

import argparse
import asyncio
import importlib
import shutil
from pathlib import Path
from types import ModuleType

from . import acls, admin
from .credentials import Installation

KEYCLOAK_HOOK = "deploy.keycloak.subscribers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("add", "list", "revoke"))
    parser.add_argument("agency", nargs="?", help="lower-case short name, e.g. bappeda, dinsos")


def parse(principal: str) -> tuple[str, str]:
    """(agency, namespace) of a subscriber principal such as ``ext.bappeda`` or ``x.ext.bappeda``."""
    head, _, agency = principal.rpartition(".")
    namespace = head.removesuffix("ext").removesuffix(".")
    if acls.agency_of(principal, namespace) != agency:
        raise ValueError(f"{principal!r} is not a subscriber principal")
    return agency, namespace


def keycloak() -> ModuleType | None:
    """The Keycloak half, when its tooling is present."""
    try:
        return importlib.import_module(KEYCLOAK_HOOK)
    except ModuleNotFoundError as exc:
        if exc.name and KEYCLOAK_HOOK.startswith(exc.name):
            return None
        raise


def handout_dir(inst: Installation, principal: str) -> Path:
    return inst.root / "subscribers" / principal


def write_handout(inst: Installation, principal: str, bootstrap: str, group_prefix: str) -> Path:
    """The folder an agency receives: its settings for Python (client.env) and Java (client.properties), and
    the CA certificate, all with paths relative to the folder."""
    folder = handout_dir(inst, principal)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    shutil.copyfile(inst.ca_file, folder / "ca.pem")
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_USERNAME": principal,
           "KAFKA_PASSWORD": inst.password(principal, create=False), "KAFKA_CA_FILE": "ca.pem",
           "KAFKA_GROUP_PREFIX": group_prefix}
    (folder / "client.env").touch(mode=0o600)
    (folder / "client.env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    (folder / "client.properties").touch(mode=0o600)
    (folder / "client.properties").write_text(inst.java_properties(principal).replace(str(inst.ca_file), "ca.pem"))
    return folder


def add(inst: Installation, bootstrap: str, agency: str, namespace: str) -> list[str]:
    principal = acls.subscriber_principal(agency, namespace)
    password = inst.password(principal)
    inst.set_subscriber(principal, True)
    client = admin.client(inst.settings(acls.ADMIN, bootstrap))
    admin.upsert_scram(client, {principal: password})
    admin.sync_acls(client, {principal: acls.subscriber_acls(agency, namespace)})
    prefix = acls.subscriber_group_prefix(agency, namespace)
    folder = write_handout(inst, principal, bootstrap, prefix)
    return [f"Kafka principal {principal}: SCRAM-SHA-512 over TLS (SASL_SSL), password generated",
            f"  may read: {', '.join(a.name for a in acls.subscriber_acls(agency, namespace) if a.resource == 'topic')}",
            f"  consumer groups: {prefix}<purpose> (e.g. {prefix}dashboard)",
            f"  hand the agency the folder {folder} (client.env, client.properties, ca.pem) over a channel fit",
            "  for secrets; docs/subscribing.md shows how to connect with it"]


def revoke(inst: Installation, bootstrap: str, agency: str, namespace: str) -> list[str]:
    principal = acls.subscriber_principal(agency, namespace)
    admin.remove_principal(admin.client(inst.settings(acls.ADMIN, bootstrap)), principal)
    inst.set_subscriber(principal, False)
    inst.forget(principal)
    shutil.rmtree(handout_dir(inst, principal), ignore_errors=True)
    return [f"Kafka principal {principal}: ACLs and credentials removed"]


def listing(inst: Installation, bootstrap: str) -> list[str]:
    client = admin.client(inst.settings(acls.ADMIN, bootstrap))
    users = admin.scram_users(client)
    lines = [f"{'PRINCIPAL':<28} {'CREDENTIALS':<12} {'ACLS':<5} GROUP PREFIX"]
    for principal in inst.subscribers():
        agency, namespace = parse(principal)
        count = len(admin.acls_of(client, principal))
        lines.append(f"{principal:<28} {'yes' if principal in users else 'MISSING':<12} {count:<5} "
                     f"{acls.subscriber_group_prefix(agency, namespace)}")
    return lines


async def run(args: argparse.Namespace, inst: Installation) -> int:
    if args.action != "list" and not args.agency:
        print("name the agency: make subscriber NAME=<agency> ACTION=" + args.action)
        return 2
    if args.action == "list":
        lines = await asyncio.to_thread(listing, inst, args.bootstrap)
    else:
        step = add if args.action == "add" else revoke
        lines = await asyncio.to_thread(step, inst, args.bootstrap, args.agency, args.namespace)
    print("\n".join(lines))
    hook = keycloak()
    if hook is None:
        print("Keycloak client: tooling not present here (deploy/keycloak/subscribers.py); only the Kafka half ran")
        return 0
    try:
        if args.action == "add":
            facts = await hook.add_client(args.agency, args.namespace)
            print("Keycloak client: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
        elif args.action == "revoke":
            gone = await hook.revoke_client(args.agency, args.namespace)
            print(f"Keycloak client: {'removed' if gone else 'there was none'}")
        else:
            for agency, facts in (await hook.list_clients(args.namespace)).items():
                print(f"Keycloak client of {agency}: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    except Exception as exc:  # noqa: BLE001 - the Kafka half is done; say what failed and how to finish it
        print(f"Keycloak client: FAILED ({exc!r}); the Kafka half is done, run the same command again")
        return 1
    return 0
