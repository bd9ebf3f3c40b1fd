"""Who may call what on the registry: the scope each route needs (berdaya_shared.scopes), listed by scope.

Reads of a woman's personal data need personal_data:read (DP3A and Diskop UKM clients only) and a
stated purpose, and are logged; case notes have scopes of their own; other reads need any valid token.
tests/auth checks that every write route is listed here.
"""

from berdaya_shared import scopes as s
from berdaya_shared.auth import ANY_TOKEN, PUBLIC, Policy, Rule


def _routes(rule: Rule, *routes: str) -> dict[tuple[str, str], Rule]:
    """``rule`` for each "METHOD /path/{template}"."""
    return {(method, path): rule for method, path in (route.split(" ", 1) for route in routes)}


POLICY = Policy({
    # the published contract
    **_routes(PUBLIC, "GET /asyncapi", "GET /asyncapi.json"),
    # women (DP3A)
    **_routes(Rule(s.WOMEN_WRITE), "POST /women", "POST /women/imports", "PATCH /women/{person_ref}",
              "POST /women/{person_ref}/possible-duplicates/{other_ref}/dismiss",
              "DELETE /women/{person_ref}/personal-data", "POST /women/imports/{import_ref}/held/{row_no}"),
    **_routes(Rule(s.PERSONAL_DATA_READ), "GET /women", "POST /women/lookup", "GET /women/{person_ref}",
              "GET /women/imports/{import_ref}/errors.csv", "GET /women/imports/{import_ref}/errors.xlsx",
              "GET /women/imports/{import_ref}/held"),
    **_routes(ANY_TOKEN, "GET /women/imports/{import_ref}"),
    # welfare and aid (DP3A); case notes behind their own scopes
    **_routes(Rule(s.WELFARE_WRITE), "POST /women/{person_ref}/welfare-assessments", "PUT /poverty-lines/{valid_from}"),
    **_routes(Rule(s.AID_WRITE), "POST /women/{person_ref}/aid"),
    **_routes(Rule(s.AID_NOTES_READ), "GET /aid/{aid_ref}/case-notes"),
    **_routes(Rule(s.AID_NOTES_WRITE), "POST /aid/{aid_ref}/case-notes"),
    # UKM, cooperatives, capital (Diskop UKM)
    **_routes(Rule(s.UKM_WRITE), "POST /businesses", "POST /businesses/{business_ref}/reports"),
    **_routes(Rule(s.COOPS_WRITE), "POST /coops", "POST /coops/{coop_ref}/members",
              "POST /coops/{coop_ref}/members/{person_ref}/leave", "POST /coops/{coop_ref}/annual-meetings"),
    **_routes(Rule(s.CAPITAL_WRITE), "POST /capital-disbursements"),
    # audit (DP3A's data protection officer)
    **_routes(Rule(s.AUDIT_READ), "GET /audit/pii-access", "GET /audit/changes"),
})
