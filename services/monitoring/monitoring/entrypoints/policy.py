"""Who may call what on the monitoring service.

Its figures are public in their published face (the releases, protected by the disclosure policy): the
dashboard, indicators, exports, live feed and evaluation rounds need no token; a token holding figures:internal
sees the exact figures on the same routes (entrypoints/faces.py). Changing targets, rebuilding projections (and
watching a rebuild) and making a release need monitoring:admin. In an evaluation round an OPD's staff write
(rounds:write; the handlers also check that an OPD writes only its own notes, obstacles and actions) and the
evaluation team approves (rounds:approve; the handler checks the OPD is DP3A). Every route is listed: an unlisted
one is refused.
"""

from berdaya_shared import scopes as s
from berdaya_shared.auth import PUBLIC, Policy, Rule


def _routes(rule: Rule, *routes: str) -> dict[tuple[str, str], Rule]:
    """``rule`` for each "METHOD /path/{template}"."""
    return {(method, path): rule for method, path in (route.split(" ", 1) for route in routes)}


POLICY = Policy(
    {
        # the published face: aggregates and rounds as released
        **_routes(PUBLIC, "GET /", "GET /api/catalog", "GET /api/indicators", "GET /api/periods", "GET /api/funnel",
                  "GET /api/cohort",
                  "GET /api/headline", "GET /api/export", "GET /api/stream", "GET /api/targets",
                  "GET /api/rounds", "GET /api/rounds/compare", "GET /api/rounds/{round_ref}",
                  "GET /api/rounds/{round_ref}/late-data", "GET /api/rounds/{round_ref}/export.xlsx",
                  "GET /rounds/{round_ref}/cetak", "GET /asyncapi", "GET /asyncapi.json"),
        **_routes(Rule(s.MONITORING_ADMIN), "PUT /api/targets", "POST /api/admin/rebuild", "GET /api/admin/rebuild",
                  "POST /api/admin/releases"),
        **_routes(Rule(s.ROUNDS_WRITE), "POST /api/rounds", "PUT /api/rounds/{round_ref}/notes/{opd}",
                  "POST /api/rounds/{round_ref}/obstacles", "POST /api/rounds/{round_ref}/actions",
                  "PUT /api/rounds/{round_ref}/actions/{action_ref}"),
        **_routes(Rule(s.ROUNDS_APPROVE), "POST /api/rounds/{round_ref}/approve"),
        # The same round writes as forms (staff pages): the same scopes, the same handlers' OPD checks. The pages
        # themselves are for any signed-in member of staff (the round's published face is public anyway).
        **_routes(Rule(), "GET /putaran", "GET /putaran/{round_ref}"),
        **_routes(Rule(s.ROUNDS_WRITE), "POST /putaran", "POST /putaran/{round_ref}/catatan",
                  "POST /putaran/{round_ref}/hambatan", "POST /putaran/{round_ref}/tindak-lanjut",
                  "POST /putaran/{round_ref}/tindak-lanjut/{action_ref}"),
        **_routes(Rule(s.ROUNDS_APPROVE), "POST /putaran/{round_ref}/setujui"),
        # The evaluation team's exact cohort funnel as a page (the public one is on the dashboard).
        **_routes(Rule(s.FIGURES_INTERNAL), "GET /kohort"),
    },
    default_read=None,
)
