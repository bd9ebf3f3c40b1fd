"""Private infrastructure for the fault runs: a Kafka KRaft cluster (1 or 3 nodes) and a PostgreSQL server, real
processes in a directory of their own, so that killing, freezing and restarting them never touches the shared stack.

Kafka comes from deploy/kafka/cluster.py (the same jars and the same security as deploy/stack.sh: SASL/SCRAM over
TLS on every client and inter-broker connection, PLAIN over TLS for the controllers, ACLs denying by default; each
cluster has a CA and passwords of its own). PostgreSQL comes from Debian's package, as in deploy/stack.sh.
"""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from deploy.kafka import cluster
from deploy.kafka.cluster import KafkaNode
from tests.support import kafka as kafka_support
from tests.support.platform import free_port

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


class KafkaCluster(cluster.KafkaCluster):
    """deploy/kafka/cluster.py's cluster, known to tests/support/kafka.py so that every test client, namespaced
    principal and service process connects to it with its own CA and credentials."""

    async def start(self, timeout_s: float = 120.0) -> None:
        kafka_support.register_cluster(self.bootstrap, self.settings())
        await super().start(timeout_s)


__all__ = ["KafkaCluster", "KafkaNode", "PostgresServer"]


def _is_root() -> bool:
    return os.geteuid() == 0


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
