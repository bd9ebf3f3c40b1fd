"""One Kafka installation's secrets and how a client connects to it.

Layout under the installation's directory (``deploy/.data/kafka`` for the stack, a temporary directory for the
fault suite's and the bench's private clusters), never committed:

- ``credentials.json`` (mode 600): principal → password, generated per installation (``secrets.token_urlsafe``),
  plus the namespaces and subscriber agencies whose principals the stack keeps in sync;
- ``tls/``: the local CA and the broker's certificate (deploy/kafka/tls.py);
- ``subscribers/<principal>.properties`` (mode 600): what a subscribing agency receives (Java client
  properties; the same values work for aiokafka, see docs/subscribing.md).
"""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from berdaya_shared.messaging import MessagingSettings

from . import tls
from .acls import ADMIN, BROKER, CONTROLLER, SERVICES, service_principal

MECHANISM = "SCRAM-SHA-512"


def _dump(path: Path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.chmod(tmp, mode)
    tmp.replace(path)


@dataclass
class Installation:
    """The secrets of one Kafka installation, in ``root``."""

    root: Path

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    @property
    def ca_file(self) -> Path:
        return self.tls_dir / "ca.pem"

    @property
    def keystore(self) -> Path:
        return self.tls_dir / "broker.pem"

    @property
    def credentials_file(self) -> Path:
        return self.root / "credentials.json"

    def _load(self) -> dict[str, Any]:
        if not self.credentials_file.exists():
            return {"passwords": {}, "namespaces": [""], "subscribers": []}
        return json.loads(self.credentials_file.read_text())

    def _save(self, data: dict[str, Any]) -> None:
        _dump(self.credentials_file, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def ensure(self) -> "Installation":
        """Create what is missing: TLS files and the passwords of the broker, controller, admin and the services
        of every namespace kept here. Idempotent; existing passwords never change."""
        tls.ensure(self.tls_dir)
        data = self._load()
        for namespace in data["namespaces"]:
            for service in SERVICES:
                self.password(service_principal(service, namespace), data=data)
        for principal in (BROKER, CONTROLLER, ADMIN):
            self.password(principal, data=data)
        self._save(data)
        return self

    def password(self, principal: str, *, data: dict[str, Any] | None = None, create: bool = True) -> str:
        """The principal's password, generated (and stored) the first time. KeyError when absent and not
        ``create``."""
        own = data is None
        data = self._load() if data is None else data
        if principal not in data["passwords"]:
            if not create:
                raise KeyError(f"no Kafka credentials for {principal!r} in {self.credentials_file}")
            data["passwords"][principal] = secrets.token_urlsafe(24)
            if own:
                self._save(data)
        return str(data["passwords"][principal])

    def forget(self, principal: str) -> None:
        data = self._load()
        data["passwords"].pop(principal, None)
        self._save(data)

    def namespaces(self) -> list[str]:
        return list(self._load()["namespaces"])

    def keep_namespace(self, namespace: str) -> None:
        data = self._load()
        if namespace not in data["namespaces"]:
            data["namespaces"].append(namespace)
            self._save(data)

    def subscribers(self) -> list[str]:
        """Subscriber principals kept here (``ext.bappeda``, ``x.ext.bappeda``)."""
        return list(self._load()["subscribers"])

    def set_subscriber(self, principal: str, present: bool) -> None:
        data = self._load()
        kept = [p for p in data["subscribers"] if p != principal] + ([principal] if present else [])
        data["subscribers"] = sorted(kept)
        self._save(data)

    def principals(self) -> dict[str, str]:
        return dict(self._load()["passwords"])

    def settings(self, principal: str, bootstrap: str, namespace: str = "") -> MessagingSettings:
        """How ``principal`` connects: SASL_SSL, SCRAM-SHA-512, this installation's CA."""
        return MessagingSettings(kafka_bootstrap_servers=bootstrap, kafka_security_protocol="SASL_SSL",
                                 kafka_sasl_mechanism=MECHANISM, kafka_username=principal,
                                 kafka_password=self.password(principal, create=False),  # type: ignore[arg-type]
                                 kafka_ca_file=self.ca_file, topic_namespace=namespace)

    def env(self, principal: str, bootstrap: str) -> dict[str, str]:
        """The environment variables a Berdaya process reads (MessagingSettings) to connect as ``principal``."""
        return {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "KAFKA_SASL_MECHANISM": MECHANISM, "KAFKA_USERNAME": principal,
                "KAFKA_PASSWORD": self.password(principal, create=False), "KAFKA_CA_FILE": str(self.ca_file)}

    def java_properties(self, principal: str, bootstrap: str | None = None) -> str:
        """Kafka's Java client properties for ``principal`` (console tools, ``--command-config``)."""
        password = self.password(principal, create=False)
        lines = [f"bootstrap.servers={bootstrap}"] if bootstrap else []
        lines += ["security.protocol=SASL_SSL", f"sasl.mechanism={MECHANISM}",
                  "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                  f'username="{principal}" password="{password}";',
                  "ssl.truststore.type=PEM", f"ssl.truststore.location={self.ca_file}"]
        return "\n".join(lines) + "\n"

    def write_java_properties(self, principal: str, path: Path, bootstrap: str | None = None) -> Path:
        _dump(path, self.java_properties(principal, bootstrap))
        return path

    def scram_format_args(self) -> list[str]:
        """``StorageTool format`` arguments that put the broker's and the admin's SCRAM credentials into the
        metadata log before the first start (the broker needs its own to talk to itself over SCRAM)."""
        args: list[str] = []
        for principal in (BROKER, ADMIN):
            args += ["--add-scram", f"{MECHANISM}=[name={principal},password={self.password(principal)}]"]
        return args
