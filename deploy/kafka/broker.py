"""The listeners and security settings of a Berdaya Kafka node, for the stack (deploy/stack.sh, from the template
deploy/kafka/server.properties) and for private clusters (deploy/kafka/cluster.py: the fault suite, the bench).

Three listeners, each authenticated (see deploy/kafka/README.md for why these choices):

| listener | port | protocol | mechanism | principal |
|---|---|---|---|---|
| ``CLIENT`` | ``KAFKA_PORT`` | SASL_SSL | SCRAM-SHA-512 | services, subscribers, the admin |
| ``INTERNAL`` (inter-broker) | ``KAFKA_INTERNAL_PORT`` | SASL_SSL | SCRAM-SHA-512 | ``berdaya-broker`` |
| ``CONTROLLER`` (KRaft) | ``KAFKA_CONTROLLER_PORT`` | SASL_SSL | PLAIN | ``berdaya-controller`` |

The controller listener cannot use SCRAM: SCRAM credentials live in the metadata log, which the controllers serve
and must reach each other before anyone can read it. Its PLAIN password lives only in the nodes' own
(mode 600) configuration, and travels inside TLS.
"""

from dataclasses import dataclass
from pathlib import Path

from .acls import BROKER, CONTROLLER, SUPER_USERS
from .credentials import Installation

SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"
PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"


@dataclass(frozen=True)
class Ports:
    client: int
    internal: int
    controller: int


def listeners(host: str, ports: Ports, *, secured: bool = True) -> str:
    protocol = "SASL_SSL" if secured else "PLAINTEXT"
    named = f"CLIENT://{host}:{ports.client},INTERNAL://{host}:{ports.internal},CONTROLLER://{host}:{ports.controller}"
    return "\n".join([
        f"listeners={named}",
        f"advertised.listeners={named}",
        "inter.broker.listener.name=INTERNAL",
        "controller.listener.names=CONTROLLER",
        f"listener.security.protocol.map=CLIENT:{protocol},INTERNAL:{protocol},CONTROLLER:{protocol}",
    ]) + "\n"


def security(installation: Installation) -> str:
    """SASL on every listener, TLS from the installation's PEM files, StandardAuthorizer denying by default."""
    broker_pw = installation.password(BROKER, create=False)
    controller_pw = installation.password(CONTROLLER, create=False)
    return "\n".join([
        "# ---- security (deploy/kafka/broker.py): SASL on every listener, TLS, deny by default ----",
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512",
        "listener.name.internal.sasl.enabled.mechanisms=SCRAM-SHA-512",
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        "sasl.mechanism.controller.protocol=PLAIN",
        f"listener.name.client.scram-sha-512.sasl.jaas.config={SCRAM_MODULE} required;",
        f'listener.name.internal.scram-sha-512.sasl.jaas.config={SCRAM_MODULE} required username="{BROKER}" '
        f'password="{broker_pw}";',
        f'listener.name.controller.plain.sasl.jaas.config={PLAIN_MODULE} required username="{CONTROLLER}" '
        f'password="{controller_pw}" user_{CONTROLLER}="{controller_pw}";',
        "ssl.keystore.type=PEM",
        f"ssl.keystore.location={installation.keystore}",
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={installation.ca_file}",
        "ssl.client.auth=none",
        "ssl.endpoint.identification.algorithm=https",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found=false",
        "super.users=" + ";".join(f"User:{p}" for p in SUPER_USERS),
    ]) + "\n"


def write(path: Path, text: str) -> Path:
    """Node configuration holds passwords: mode 600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)
    return path


def render_template(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text
