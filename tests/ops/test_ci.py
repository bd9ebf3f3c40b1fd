"""CI proves the README: `.ci/run` runs the newcomer's make targets and nothing that installs on its own, and
`make install` (a prerequisite of `make up` and `make test`) installs what the suite needs, Chromium included."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INSTALLERS = re.compile(r"\b(apt-get|apt|dpkg|pip3?|python3? -m (venv|pip)|venv|npm|npx|mvn|curl|wget|playwright)\b")


def commands(script: str) -> list[str]:
    """The lines of a shell script that run something (comments and blank lines left out)."""
    return [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]


def make_prerequisites(target: str) -> set[str]:
    """``target`` and every target it depends on, from make's own database (make -pn)."""
    database = subprocess.run(["make", "-pnq", target], cwd=REPO, capture_output=True, text=True).stdout
    rules = {}
    for line in database.splitlines():
        found = re.match(r"^([A-Za-z0-9_./$()-]+):(?!=)\s*(.*)$", line)
        if found and not line.startswith(("#", "\t")):
            rules.setdefault(found[1], found[2].split())
    seen, todo = set(), [target]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += rules.get(name, [])
    return seen


def test_ci_installs_nothing_of_its_own() -> None:
    lines = commands((REPO / ".ci" / "run").read_text())
    assert not [line for line in lines if INSTALLERS.search(line)], "install steps belong in make install"
    targets = [m[1] for line in lines for m in [re.match(r"^phase\s+\"[^\"]+\"\s+make\s+([a-z-]+)\s*$", line)] if m]
    assert targets and targets[-1] == "test", "CI ends with the README's make test"
    newcomer = make_prerequisites("test") | make_prerequisites("up")
    assert set(targets) <= newcomer, f"CI runs make targets a newcomer's make up / make test would not: " \
                                     f"{set(targets) - newcomer}"
    others = [line for line in lines if re.search(r"\bmake\b", line) and not line.startswith("phase ")]
    assert others == [], f"make called outside a phase: {others}"


def test_make_test_installs_the_browser_and_the_tools_the_suite_needs() -> None:
    prerequisites = make_prerequisites("test")
    assert {"install", "system", "stack-up", "deploy/.data/tools/promtool"} <= prerequisites
    assert "install" in make_prerequisites("up")
    system = (REPO / "deploy" / "system.sh").read_text()
    for package in ("chromium", "python3-venv", "postgresql", "openjdk-17-jre-headless", "maven", "npm"):
        assert re.search(rf"^need {re.escape(package)} ", system, re.M), package
    checked = subprocess.run(["bash", "deploy/system.sh"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert Path("/usr/bin/chromium").exists()


def test_without_root_a_missing_package_is_named_not_installed(tmp_path: Path) -> None:
    """Not root and something missing: nothing is installed, the one command to run is printed, exit 1."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "id").write_text("#!/bin/sh\necho 1000\n")  # not root
    (fake_bin / "id").chmod(0o755)
    script = (REPO / "deploy" / "system.sh").read_text().replace("test -x /usr/bin/chromium",
                                                                "test -x /nonexistent/chromium")
    (tmp_path / "system.sh").write_text(script)
    env = {"PATH": f"{fake_bin}:/usr/bin:/bin"}
    run = subprocess.run(["bash", str(tmp_path / "system.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" in run.stdout
