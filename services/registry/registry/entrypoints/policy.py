"""Who may call what on the registry: the scope each route needs (berdaya_shared.scopes), listed by scope.

Reads of a woman's personal data (and of her welfare and aid, which identify her circumstances) need
personal_data:read (DP3A and Diskop UKM clients, case workers); reads of the women's register itself also a stated
purpose, and are logged; case notes have scopes of their own; records that name a person by ref (businesses,
cooperatives, an import's progress) need records:read (OPD staff). Only the published contract and the poverty
lines (public figures) are open to any token. tests/auth checks that every route, read or write, is listed here.
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
              "DELETE /women/{person_ref}/personal-data", "POST /women/imports/{import_ref}/held/{row_no}",
              "POST /merges", "POST /merges/{merge_ref}/undo"),
    **_routes(Rule(s.PERSONAL_DATA_READ), "GET /women", "POST /women/lookup", "POST /women/search",
              "GET /women/{person_ref}", "GET /women/{person_ref}/journey",
              "GET /possible-duplicates",
              "GET /women/imports/{import_ref}/errors.csv", "GET /women/imports/{import_ref}/errors.xlsx",
              "GET /women/imports/{import_ref}/held"),
    **_routes(Rule(s.RECORDS_READ), "GET /women/imports/{import_ref}", "GET /merges/{merge_ref}"),
    # a trainer's course participants, answered only for her OPD's courses (service_layer/journey.py)
    **_routes(Rule(s.TRAINEE_NAMES_READ), "POST /women/names"),
    # a trainer finding a woman to enrol in one of her OPD's courses (service_layer/enrolment_search.py)
    **_routes(Rule(s.ENROLMENT_SEARCH), "POST /women/enrolment-search"),
    # the not-yet-reached list (names: personal data), as API and as a page
    **_routes(Rule(s.PERSONAL_DATA_READ), "GET /unreached-women", "GET /unreached-women.csv", "GET /belum-terjangkau",
              "GET /belum-terjangkau.csv"),
    # welfare and aid (DP3A); case notes behind their own scopes
    **_routes(Rule(s.WELFARE_WRITE), "POST /women/{person_ref}/welfare-assessments", "PUT /poverty-lines/{valid_from}"),
    **_routes(Rule(s.PERSONAL_DATA_READ), "GET /women/{person_ref}/welfare-assessments", "GET /women/{person_ref}/aid"),
    **_routes(ANY_TOKEN, "GET /poverty-lines"),
    # a case note given with the aid is a case note: the route also needs aid_notes:write for that field
    **_routes(Rule(s.AID_WRITE, fields={"case_note": s.AID_NOTES_WRITE}), "POST /women/{person_ref}/aid"),
    **_routes(Rule(s.AID_NOTES_READ), "GET /aid/{aid_ref}/case-notes"),
    **_routes(Rule(s.AID_NOTES_WRITE), "POST /aid/{aid_ref}/case-notes"),
    # UKM, cooperatives, capital (Diskop UKM)
    **_routes(Rule(s.UKM_WRITE), "POST /businesses", "POST /businesses/{business_ref}/reports"),
    **_routes(Rule(s.RECORDS_READ), "GET /businesses", "GET /businesses/{business_ref}",
              "GET /businesses/{business_ref}/reports", "GET /coops/{coop_ref}"),
    **_routes(Rule(s.COOPS_WRITE), "POST /coops", "POST /coops/{coop_ref}/members",
              "POST /coops/{coop_ref}/members/{person_ref}/leave", "POST /coops/{coop_ref}/annual-meetings"),
    **_routes(Rule(s.CAPITAL_WRITE), "POST /capital-disbursements"),
    # staff pages (entrypoints/pages_*.py): the same scopes as the API they stand for
    **_routes(Rule(s.PERSONAL_DATA_READ), "GET /perempuan", "POST /perempuan", "GET /perempuan/{person_ref}"),
    **_routes(Rule(s.WOMEN_WRITE), "GET /perempuan/daftar", "POST /perempuan/daftar", "GET /perempuan/impor",
              "POST /perempuan/impor", "POST /perempuan/impor/{import_ref}/ditahan/{row_no}"),
    **_routes(Rule(s.PERSONAL_DATA_READ), "GET /ukm/{business_ref}", "GET /koperasi/{coop_ref}", "GET /koperasi",
              "GET /ukm"),
    **_routes(Rule(s.UKM_WRITE), "POST /perempuan/{person_ref}/usaha", "POST /ukm/{business_ref}/laporan"),
    **_routes(Rule(s.CAPITAL_WRITE), "POST /perempuan/{person_ref}/modal"),
    **_routes(Rule(s.COOPS_WRITE), "POST /koperasi", "POST /koperasi/{coop_ref}/rat",
              "POST /koperasi/{coop_ref}/anggota"),
    # the possible-duplicates queue (pages_duplicates.py): the merge API's scope; names shown need a purpose too
    **_routes(Rule(s.WOMEN_WRITE), "GET /kemungkinan-ganda", "GET /kemungkinan-ganda/{person_ref}/{other_ref}",
              "POST /kemungkinan-ganda/{person_ref}/{other_ref}/gabung",
              "POST /kemungkinan-ganda/{person_ref}/{other_ref}/bukan-ganda", "GET /penggabungan/{merge_ref}",
              "POST /penggabungan/{merge_ref}/batal"),
    **_routes(Rule(s.PERSONAL_DATA_READ), "GET /perempuan/impor/{import_ref}",
              "GET /perempuan/impor/{import_ref}/laporan.csv", "GET /perempuan/impor/{import_ref}/laporan.xlsx"),
    # audit (DP3A's data protection officer)
    **_routes(Rule(s.AUDIT_READ), "GET /audit/pii-access", "GET /audit/changes"),
}, default_read=None)
