"""Wait until a Kafka broker answers metadata requests.

Usage: python deploy/kafka_wait.py [--bootstrap 127.0.0.1:9092] [--timeout 90]
Exit status 0 once the broker lists its cluster (a controller and at least one broker), 1 on timeout.
The connection's security comes from the environment (KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME, KAFKA_PASSWORD,
KAFKA_CA_FILE: berdaya_shared.messaging.MessagingSettings); deploy/stack.sh runs it as the admin principal.
"""

import argparse
import asyncio
import logging
import os
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs


async def broker_answers(bootstrap: str) -> bool:
    settings = MessagingSettings(kafka_bootstrap_servers=bootstrap)
    admin = AIOKafkaAdminClient(**kafka_client_kwargs(settings), request_timeout_ms=5000)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) >= 0
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False
    finally:
        await admin.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--timeout", type=float, default=90.0)
    args = parser.parse_args()

    # aiokafka logs every refused connection at ERROR while the broker boots; that is expected here.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if await broker_answers(args.bootstrap):
            return 0
        await asyncio.sleep(0.5)
    print(f"kafka_wait: no metadata from {args.bootstrap} within {args.timeout:.0f} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
