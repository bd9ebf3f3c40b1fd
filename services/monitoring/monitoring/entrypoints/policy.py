"""Who may call what on the monitoring service.

Its figures are public in their published face (the releases, protected by the disclosure policy): the
dashboard, indicators, exports and live feed need no token; a token holding figures:internal sees the exact
figures on the same routes (entrypoints/faces.py). Changing targets, rebuilding projections (and watching a
rebuild) and making a release need monitoring:admin.
"""

from berdaya_shared import scopes as s
from berdaya_shared.auth import PUBLIC, Policy, Rule

POLICY = Policy(
    {
        ("PUT", "/api/targets"): Rule(s.MONITORING_ADMIN),
        ("POST", "/api/admin/rebuild"): Rule(s.MONITORING_ADMIN),
        ("GET", "/api/admin/rebuild"): Rule(s.MONITORING_ADMIN),
        ("POST", "/api/admin/releases"): Rule(s.MONITORING_ADMIN),
        # Evaluation rounds: any token; the handlers check the acting OPD, the token's (own notes, obstacles
        # and actions; only dp3a approves; a token without a program OPD writes nothing).
        ("POST", "/api/rounds"): Rule(),
        ("PUT", "/api/rounds/{round_ref}/notes/{opd}"): Rule(),
        ("POST", "/api/rounds/{round_ref}/obstacles"): Rule(),
        ("POST", "/api/rounds/{round_ref}/actions"): Rule(),
        ("PUT", "/api/rounds/{round_ref}/actions/{action_ref}"): Rule(),
        ("POST", "/api/rounds/{round_ref}/approve"): Rule(),
    },
    default_read=PUBLIC,
)
