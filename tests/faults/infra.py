"""Private infrastructure for the fault runs: a Kafka KRaft cluster (1 or 3 nodes) and a PostgreSQL server, real
processes in a directory of their own, so that killing, freezing and restarting them never touches the shared stack.

Kafka runs from the same jars as deploy/stack.sh (deploy/.data/kafka-libs, or KAFKA_LIBS); every node is broker and
controller in one JVM with a static quorum. PostgreSQL comes from Debian's package, as in deploy/stack.sh.
"""

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from tests.support.platform import free_port

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def kafka_libs() -> Path:
    candidates = [os.environ.get("KAFKA_LIBS"), os.environ.get("BERDAYA_DATA_DIR") and
                  str(Path(os.environ["BERDAYA_DATA_DIR"]) / "kafka-libs"), str(REPO / "deploy/.data/kafka-libs")]
    for candidate in candidates:
        if candidate and any(Path(candidate).glob("kafka_2.13-*.jar")):
            return Path(candidate)
    raise RuntimeError("no Kafka jars found: run `make stack-up` (deploy/stack.sh fetches them) or set KAFKA_LIBS")


def _is_root() -> bool:
    return os.geteuid() == 0


@dataclass
class KafkaNode:
    node_id: int
    port: int
    controller_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"


@dataclass
class KafkaCluster:
    """``size`` KRaft nodes; topics get replication factor ``size`` and min.insync.replicas ``size - 1`` (≥ 1)."""

    size: int = 1
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="berdaya-faults-kafka-")))
    nodes: list[KafkaNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.libs = kafka_libs()
        self.nodes = [KafkaNode(i + 1, free_port(), free_port(), self.root / f"node{i + 1}") for i in range(self.size)]
        self.min_isr = max(1, self.size - 1)

    @property
    def bootstrap(self) -> str:
        return ",".join(n.address for n in self.nodes)

    def _java(self, node: KafkaNode, *args: str) -> list[str]:
        return ["java", "-Xms128m", "-Xmx384m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={REPO}/deploy/kafka/log4j2.properties",
                f"-Dkafka.logs.dir={node.directory}/logs", "-cp", f"{self.libs}/*", *args]

    def _properties(self, node: KafkaNode) -> Path:
        voters = ",".join(f"{n.node_id}@{HOST}:{n.controller_port}" for n in self.nodes)
        rf = self.size
        text = f"""process.roles=broker,controller
node.id={node.node_id}
controller.quorum.voters={voters}
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://{HOST}:{node.port},CONTROLLER://{HOST}:{node.controller_port}
advertised.listeners=PLAINTEXT://{HOST}:{node.port},CONTROLLER://{HOST}:{node.controller_port}
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
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
        path = node.directory / "server.properties"
        path.write_text(text)
        return path

    def format(self) -> None:
        cluster_id = subprocess.run(self._java(self.nodes[0], "kafka.tools.StorageTool", "random-uuid"),
                                    check=True, capture_output=True, text=True).stdout.split()[-1]
        for node in self.nodes:
            (node.directory / "logs").mkdir(parents=True, exist_ok=True)
            props = self._properties(node)
            done = subprocess.run(self._java(node, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c",
                                             str(props)), capture_output=True, text=True)
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
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
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


def _pg_bin() -> Path:
    preferred = Path("/usr/lib/postgresql/15/bin")
    if (preferred / "postgres").exists():
        return preferred
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries: run `make stack-up` (installs Debian's postgresql)")
    return found[-1].parent


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster on a free port (as the `postgres` OS user when run as root)."""

    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="berdaya-faults-pg-")))

    def __post_init__(self) -> None:
        self.bin = _pg_bin()
        self.data = self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql://berdaya:berdaya@{HOST}:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(a) for a in args]
        if _is_root():
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, cwd="/", capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}\n{self.log_tail()}")
        return done

    def log_tail(self, lines: int = 30) -> str:
        log = self.root / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

    def init(self) -> None:
        os.chmod(self.root, 0o755)
        if _is_root():
            shutil.chown(self.root, "postgres", "postgres")
        self._run(self.bin / "initdb", "-D", self.data, "-U", "berdaya", "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '{HOST}'\nunix_socket_directories = ''\n"
                       "max_connections = 200\nfsync = on\nsynchronous_commit = on\n")

    def start(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=False)

    def restart(self, mode: str = "immediate") -> None:
        """``immediate`` = every backend killed at once, crash recovery on start (a power cut for the database)."""
        self.stop(mode)
        self.start()

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
