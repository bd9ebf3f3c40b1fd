"""Kafka's own Java clients (the console consumer and producer of the ``kafka-tools`` jar, deploy/kafka/pom.xml),
run against the broker with a principal's settings: what a refusal looks like to a client that is not ours."""

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from berdaya_shared.messaging import MessagingSettings

from deploy.kafka.cluster import kafka_libs

CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer"
PRODUCER = "org.apache.kafka.tools.ConsoleProducer"


def java_properties(settings: MessagingSettings) -> str:
    """Java client properties equivalent to ``settings`` (berdaya_shared.messaging.kafka_client_kwargs)."""
    lines = [f"security.protocol={settings.kafka_security_protocol}"]
    if settings.kafka_security_protocol != "PLAINTEXT":
        password = settings.kafka_password.get_secret_value() if settings.kafka_password else ""
        module = ("org.apache.kafka.common.security.plain.PlainLoginModule" if settings.kafka_sasl_mechanism == "PLAIN"
                  else "org.apache.kafka.common.security.scram.ScramLoginModule")
        lines += [f"sasl.mechanism={settings.kafka_sasl_mechanism}",
                  f'sasl.jaas.config={module} required username="{settings.kafka_username}" password="{password}";']
    if settings.kafka_security_protocol == "SASL_SSL" and settings.kafka_ca_file:
        lines += ["ssl.truststore.type=PEM", f"ssl.truststore.location={settings.kafka_ca_file}"]
    return "\n".join(lines) + "\n"


@dataclass
class Run:
    returncode: int
    output: str  # stdout and stderr together


def _java(settings: MessagingSettings, main: str, *args: str, stdin: str | None = None, timeout_s: float = 90) -> Run:
    with tempfile.TemporaryDirectory(prefix="kafka-tool-") as tmp:
        config = Path(tmp) / "client.properties"
        fd = os.open(config, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(java_properties(settings))
        command = ["java", "-Xmx256m", "-cp", f"{kafka_libs()}/*", main, "--bootstrap-server",
                   settings.kafka_bootstrap_servers, *args]
        option = "--consumer.config" if main == CONSUMER else "--producer.config"
        done = subprocess.run([*command, option, str(config)], input=stdin, capture_output=True, text=True,
                              timeout=timeout_s)
    return Run(done.returncode, done.stdout + done.stderr)


def console_consume(settings: MessagingSettings, topic: str, group: str, *, timeout_ms: int = 15000,
                    max_messages: int | None = None) -> Run:
    args = ["--topic", topic, "--group", group, "--from-beginning", "--timeout-ms", str(timeout_ms)]
    if max_messages is not None:
        args += ["--max-messages", str(max_messages)]
    return _java(settings, CONSUMER, *args)


def console_produce(settings: MessagingSettings, topic: str, lines: list[str]) -> Run:
    return _java(settings, PRODUCER, "--topic", topic, "--producer-property", "max.block.ms=15000",
                 "--producer-property", "delivery.timeout.ms=20000", "--producer-property", "request.timeout.ms=15000",
                 stdin="\n".join(lines) + "\n")
