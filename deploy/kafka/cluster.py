"""Private Kafka clusters (1 or 3 KRaft nodes) in a directory of their own, real processes from the same jars as
deploy/stack.sh: the fault suite kills, freezes and restarts them; the bench compares SASL on and off on them.

Every node is broker and controller in one JVM with a static quorum. ``secured=True`` (the default) gives each
cluster the stack's security (deploy/kafka/broker.py: SASL_SSL with SCRAM for clients and between brokers, PLAIN
over TLS for the controllers, StandardAuthorizer denying by default) with a CA and passwords of its own;
``secured=False`` gives the same nodes on PLAINTEXT, as a yardstick only.
"""

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs

from . import broker
from .acls import ADMIN
from .credentials import Installation

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def kafka_libs() -> Path:
    candidates = [os.environ.get("KAFKA_LIBS"), os.environ.get("BERDAYA_DATA_DIR") and
                  str(Path(os.environ["BERDAYA_DATA_DIR"]) / "kafka-libs"), str(REPO / "deploy/.data/kafka-libs")]
    for candidate in candidates:
        if candidate and any(Path(candidate).glob("kafka_2.13-*.jar")):
            return Path(candidate)
    raise RuntimeError("no Kafka jars found: run `make stack-up` (deploy/stack.sh fetches them) or set KAFKA_LIBS")


@dataclass
class KafkaNode:
    node_id: int
    ports: broker.Ports
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.ports.client}"


@dataclass
class KafkaCluster:
    """``size`` KRaft nodes; topics get replication factor ``size`` and min.insync.replicas ``size - 1`` (≥ 1)."""

    size: int = 1
    secured: bool = True
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="berdaya-kafka-")))
    heap: str = "-Xmx384m"
    nodes: list[KafkaNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.libs = kafka_libs()
        self.installation = Installation(self.root / "secrets")
        if self.secured:  # its own CA and passwords, before anything asks how to connect
            self.installation.ensure()
        self.nodes = [KafkaNode(i + 1, broker.Ports(free_port(), free_port(), free_port()), self.root / f"node{i + 1}")
                      for i in range(self.size)]
        self.min_isr = max(1, self.size - 1)

    @property
    def bootstrap(self) -> str:
        return ",".join(n.address for n in self.nodes)

    def settings(self, principal: str = ADMIN, namespace: str = "") -> MessagingSettings:
        """How ``principal`` (the admin by default) connects to this cluster."""
        if not self.secured:  # explicitly: the environment may hold another broker's credentials
            return MessagingSettings(kafka_bootstrap_servers=self.bootstrap, kafka_security_protocol="PLAINTEXT",
                                     kafka_username=None, kafka_password=None, kafka_ca_file=None,
                                     topic_namespace=namespace)
        return self.installation.settings(principal, self.bootstrap, namespace)

    def _java(self, node: KafkaNode, *args: str) -> list[str]:
        return ["java", "-Xms128m", self.heap, "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={REPO}/deploy/kafka/log4j2.properties",
                f"-Dkafka.logs.dir={node.directory}/logs", "-cp", f"{self.libs}/*", *args]

    def _properties(self, node: KafkaNode) -> Path:
        voters = ",".join(f"{n.node_id}@{HOST}:{n.ports.controller}" for n in self.nodes)
        rf = self.size
        text = f"""process.roles=broker,controller
node.id={node.node_id}
controller.quorum.voters={voters}
log.dirs={node.directory}/data
auto.create.topics.enable=false
default.replication.factor={rf}
min.insync.replicas={self.min_isr}
offsets.topic.replication.factor={rf}
offsets.topic.num.partitions=6
transaction.state.log.replication.factor={rf}
transaction.state.log.min.isr={self.min_isr}
share.coordinator.state.topic.replication.factor={rf}
share.coordinator.state.topic.min.isr={self.min_isr}
group.initial.rebalance.delay.ms=0
unclean.leader.election.enable=false
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
"""
        text += broker.listeners(HOST, node.ports, secured=self.secured)
        if self.secured:
            text += broker.security(self.installation)
        return broker.write(node.directory / "server.properties", text)

    def format(self) -> None:
        cluster_id = subprocess.run(self._java(self.nodes[0], "kafka.tools.StorageTool", "random-uuid"),
                                    check=True, capture_output=True, text=True).stdout.split()[-1]
        scram = self.installation.scram_format_args() if self.secured else []
        for node in self.nodes:
            (node.directory / "logs").mkdir(parents=True, exist_ok=True)
            props = self._properties(node)
            done = subprocess.run(self._java(node, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c",
                                             str(props), *scram), capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"Kafka storage format failed:\n{done.stdout}\n{done.stderr}")

    def start_node(self, node: KafkaNode) -> None:
        out = (node.directory / "kafka.out").open("ab")
        node.process = subprocess.Popen(self._java(node, "kafka.Kafka", str(node.directory / "server.properties")),
                                        cwd=node.directory, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def signal(self, node: KafkaNode, sig: int) -> None:
        if node.process is not None and node.process.poll() is None:
            node.process.send_signal(sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                node.process.wait(60)

    def kill(self, node: KafkaNode) -> None:
        self.signal(node, signal.SIGKILL)

    async def start(self, timeout_s: float = 120.0) -> None:
        await asyncio.to_thread(self.format)
        for node in self.nodes:
            self.start_node(node)
        await self.wait_ready(self.size, timeout_s)

    async def restart(self, node: KafkaNode, timeout_s: float = 120.0) -> None:
        """Start a stopped node again; returns once it answers itself and every partition has its full ISR."""
        self.start_node(node)
        await self.wait_ready(self.size, timeout_s, via=node)

    async def wait_ready(self, brokers: int, timeout_s: float = 120.0, via: KafkaNode | None = None) -> None:
        """Until ``brokers`` brokers are registered and every partition of every topic has its full ISR (asking
        ``via`` when given, so that a restarted node must answer by itself)."""
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.process is not None and node.process.poll() not in (None, -9, -15):
                    raise RuntimeError(f"Kafka node {node.node_id} exited:\n{self.log_tail(node)}")
            if await self._healthy(brokers, via.address if via else self.bootstrap):
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"Kafka cluster not ready within {timeout_s}s:\n{self.log_tail(self.nodes[0])}")

    async def _healthy(self, brokers: int, bootstrap: str) -> bool:
        connect = kafka_client_kwargs(self.settings().model_copy(update={"kafka_bootstrap_servers": bootstrap}))
        admin = AIOKafkaAdminClient(**connect, request_timeout_ms=5000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            if len(cluster.get("brokers", [])) < brokers or cluster.get("controller_id", -1) < 0:
                return False
            names = await admin.list_topics()
            if not names:
                return True
            for topic in await admin.describe_topics(names):
                for part in topic["partitions"]:
                    if part["leader"] < 0 or len(part["isr"]) < min(brokers, len(part["replicas"])):
                        return False
            return True
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False
        finally:
            await admin.close()

    def log_tail(self, node: KafkaNode, lines: int = 30) -> str:
        out = node.directory / "kafka.out"
        return "\n".join(out.read_text(errors="replace").splitlines()[-lines:]) if out.exists() else "(no output)"

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    node.process.send_signal(signal.SIGCONT)
                node.process.terminate()
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)
