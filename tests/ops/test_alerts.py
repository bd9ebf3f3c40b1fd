"""The shipped Prometheus alert rules are valid and do what they say (promtool's own checker and unit tests)."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus"


def promtool() -> str:
    found = subprocess.run(["bash", str(REPO / "deploy" / "tools.sh"), "promtool"], capture_output=True, text=True)
    assert found.returncode == 0, f"promtool unavailable (make install fetches it): {found.stderr}"
    return found.stdout.strip()


def test_the_rules_and_the_example_configuration_are_valid() -> None:
    for args in (["check", "rules", "alerts.yml"], ["check", "config", "prometheus.example.yml"]):
        checked = subprocess.run([promtool(), *args], cwd=RULES, capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_alert_fires_when_it_should_and_not_before() -> None:
    tested = subprocess.run([promtool(), "test", "rules", "alerts.test.yml"], cwd=RULES, capture_output=True,
                            text=True, timeout=60)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    alerts = {line.split(":", 1)[1].strip() for line in (RULES / "alerts.yml").read_text().splitlines()
              if line.strip().startswith("- alert:")}
    tested_alerts = {line.split(":", 1)[1].strip() for line in (RULES / "alerts.test.yml").read_text().splitlines()
                     if line.strip().startswith("alertname:")}
    assert alerts == tested_alerts == {"BerdayaDeadLetters", "BerdayaOutboxBacklog", "BerdayaConsumerLag",
                                       "BerdayaNotReady", "BerdayaDown"}
