"""Who may call what on the registry: the scope each route needs (berdaya_shared.scopes).

Reads of a woman's personal data need personal_data:read (DP3A and Diskop UKM clients only) and a
stated purpose, and are logged; other reads need any valid token. tests/auth checks that every write
route is listed here.
"""

from berdaya_shared import scopes as s
from berdaya_shared.auth import ANY_TOKEN, PUBLIC, Policy, Rule

POLICY = Policy({
    # token issuer and published contract
    ("POST", "/oauth/token"): PUBLIC,
    ("GET", "/.well-known/jwks.json"): PUBLIC,
    ("GET", "/.well-known/oauth-authorization-server"): PUBLIC,
    ("GET", "/asyncapi"): PUBLIC,
    ("GET", "/asyncapi.json"): PUBLIC,
    # women (DP3A)
    ("POST", "/women"): Rule(s.WOMEN_WRITE),
    ("POST", "/women/imports"): Rule(s.WOMEN_WRITE),
    ("PATCH", "/women/{person_ref}"): Rule(s.WOMEN_WRITE),
    ("POST", "/women/{person_ref}/possible-duplicates/{other_ref}/dismiss"): Rule(s.WOMEN_WRITE),
    ("DELETE", "/women/{person_ref}/personal-data"): Rule(s.WOMEN_WRITE),
    ("GET", "/women"): Rule(s.PERSONAL_DATA_READ),
    ("POST", "/women/lookup"): Rule(s.PERSONAL_DATA_READ),
    ("GET", "/women/{person_ref}"): Rule(s.PERSONAL_DATA_READ),
    ("GET", "/women/imports/{import_ref}"): ANY_TOKEN,
    ("GET", "/women/imports/{import_ref}/errors.csv"): Rule(s.PERSONAL_DATA_READ),
    ("GET", "/women/imports/{import_ref}/errors.xlsx"): Rule(s.PERSONAL_DATA_READ),
    # welfare and aid (DP3A); case notes behind their own scopes
    ("POST", "/women/{person_ref}/welfare-assessments"): Rule(s.WELFARE_WRITE),
    ("PUT", "/poverty-lines/{valid_from}"): Rule(s.WELFARE_WRITE),
    ("POST", "/women/{person_ref}/aid"): Rule(s.AID_WRITE),
    ("GET", "/aid/{aid_ref}/case-notes"): Rule(s.AID_NOTES_READ),
    ("POST", "/aid/{aid_ref}/case-notes"): Rule(s.AID_NOTES_WRITE),
    # UKM, cooperatives, capital (Diskop UKM)
    ("POST", "/businesses"): Rule(s.UKM_WRITE),
    ("POST", "/businesses/{business_ref}/reports"): Rule(s.UKM_WRITE),
    ("POST", "/coops"): Rule(s.COOPS_WRITE),
    ("POST", "/coops/{coop_ref}/members"): Rule(s.COOPS_WRITE),
    ("POST", "/coops/{coop_ref}/members/{person_ref}/leave"): Rule(s.COOPS_WRITE),
    ("POST", "/coops/{coop_ref}/annual-meetings"): Rule(s.COOPS_WRITE),
    ("POST", "/capital-disbursements"): Rule(s.CAPITAL_WRITE),
    # audit (DP3A's data protection officer)
    ("GET", "/audit/pii-access"): Rule(s.AUDIT_READ),
    ("GET", "/audit/changes"): Rule(s.AUDIT_READ),
})
