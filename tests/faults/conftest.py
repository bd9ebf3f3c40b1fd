"""The fault table: every fault run adds a row; it is printed at the end of the session and written to
test-artifacts/faults/table.json."""

import json
from dataclasses import asdict
from typing import Any

from tests.faults.ledger import RESULTS, SUMMARIES
from tests.faults.stage import ARTIFACTS

HEADER = ("fault", "acknowledged", "lost", "applied twice", "redelivered", "dead-lettered", "recovered in",
          "client retries", "first 2xx after restart")


def table() -> list[str]:
    rows = [HEADER] + [(r.fault, str(r.acknowledged), str(r.lost), str(r.applied_twice), str(r.redelivered),
                        str(r.dead_lettered), f"{r.recovered_s:.1f} s", str(r.client_retries),
                        "-" if r.first_2xx_s is None else f"{r.first_2xx_s:.1f} s") for r in RESULTS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SUMMARIES:
        terminalreporter.section("bad input (schemathesis, every service, valid tokens)")
        for line in SUMMARIES:
            terminalreporter.write_line(line)
    if not RESULTS:
        return
    terminalreporter.section("fault table (every acknowledged command reflected exactly once?)")
    for line in table():
        terminalreporter.write_line(line)
    if any(r.first_2xx_s is not None for r in RESULTS):
        terminalreporter.write_line("first 2xx after restart: from a killed service's restart to its first successful "
                                    "command (target: 3 s)")
    for row in RESULTS:
        for problem in row.problems:
            terminalreporter.write_line(f"  {row.fault}: {problem}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "table.json").write_text(json.dumps([asdict(r) for r in RESULTS], indent=2))
    terminalreporter.write_line(f"written: {ARTIFACTS / 'table.json'}")
