"""The scope vocabulary of Berdaya's HTTP APIs and the default scope set of each kind of client.

A scope names what a client may change (``<thing>:write``) or read. Every route names the scope it needs in its
service's ``entrypoints/policy.py`` (reads too: least privilege, issue 24): a subscriber's ``public:read`` reads
only what is published (aggregates, the AsyncAPI document, the course catalogue, the poverty lines); records about
a person (businesses, aid, welfare, memberships, enrolments, placements, sales) need ``records:read`` (OPD staff)
or, where they hold personal data, ``personal_data:read`` with a stated purpose. The realm
(deploy/keycloak/realm-berdaya.json) gives each duty its scopes; ``PROFILES`` below mirror its machine clients.
"""

# registry (DP3A: women, welfare, aid; Diskop UKM: UKM, cooperatives, capital)
WOMEN_WRITE = "women:write"
WELFARE_WRITE = "welfare:write"
AID_WRITE = "aid:write"
AID_NOTES_READ = "aid_notes:read"
AID_NOTES_WRITE = "aid_notes:write"
UKM_WRITE = "ukm:write"
COOPS_WRITE = "coops:write"
CAPITAL_WRITE = "capital:write"
PERSONAL_DATA_READ = "personal_data:read"
AUDIT_READ = "audit:read"
TRAINEE_NAMES_READ = "trainee_names:read"  # names of the caller's own OPD's course participants (trainers)
ENROLMENT_SEARCH = "enrolment_search:read"  # find a woman to enrol by name: ref, name, desa, birth year (trainers)
# training (DP3A and Distransnaker, each its own courses)
COURSES_WRITE = "courses:write"
PLACEMENTS_WRITE = "placements:write"
# marketplace (Disperindag)
FAIRS_WRITE = "fairs:write"
LISTINGS_WRITE = "listings:write"
SALES_WRITE = "sales:write"
# monitoring (DP3A evaluation team)
MONITORING_ADMIN = "monitoring:admin"
FIGURES_INTERNAL = "figures:internal"  # exact figures and arbitrary queries, past the public disclosure control
# any other agency: read-only access to non-personal data
PUBLIC_READ = "public:read"
# OPD staff: records about a person that hold no personal data (refs, business facts, enrolments, sales)
RECORDS_READ = "records:read"
# evaluation rounds (monitoring): each OPD writes its own notes; the evaluation team approves (reading a round
# shows its published face to anyone, like the dashboard)
ROUNDS_WRITE = "rounds:write"
ROUNDS_APPROVE = "rounds:approve"

ALL_SCOPES = frozenset({
    WOMEN_WRITE, WELFARE_WRITE, AID_WRITE, AID_NOTES_READ, AID_NOTES_WRITE, UKM_WRITE, COOPS_WRITE, CAPITAL_WRITE,
    PERSONAL_DATA_READ, AUDIT_READ, TRAINEE_NAMES_READ, ENROLMENT_SEARCH, COURSES_WRITE, PLACEMENTS_WRITE, FAIRS_WRITE,
    LISTINGS_WRITE, SALES_WRITE, MONITORING_ADMIN, FIGURES_INTERNAL, PUBLIC_READ, RECORDS_READ, ROUNDS_WRITE,
    ROUNDS_APPROVE,
})
_OPD_STAFF = frozenset({RECORDS_READ, ROUNDS_WRITE})

# Client profiles: (OPD, scopes). The four OPD defaults are what an agency's staff application gets;
# case notes, the audit log and monitoring administration are separate clients held by few people.
PROFILES: dict[str, tuple[str | None, frozenset[str]]] = {
    "dp3a": ("dp3a", _OPD_STAFF | {WOMEN_WRITE, WELFARE_WRITE, AID_WRITE, PERSONAL_DATA_READ, COURSES_WRITE,
                                          TRAINEE_NAMES_READ, ENROLMENT_SEARCH}),
    "diskop_ukm": ("diskop_ukm", _OPD_STAFF | {UKM_WRITE, COOPS_WRITE, CAPITAL_WRITE, PERSONAL_DATA_READ}),
    "distransnaker": ("distransnaker", _OPD_STAFF | {COURSES_WRITE, PLACEMENTS_WRITE, TRAINEE_NAMES_READ,
                                                      ENROLMENT_SEARCH}),
    "disperindag": ("disperindag", _OPD_STAFF | {FAIRS_WRITE, LISTINGS_WRITE, SALES_WRITE}),
    "dp3a_case_worker": ("dp3a", frozenset({AID_WRITE, AID_NOTES_READ, AID_NOTES_WRITE, PERSONAL_DATA_READ})),
    "dp3a_dpo": ("dp3a", frozenset({AUDIT_READ})),
    "monitoring_admin": ("dp3a", frozenset({MONITORING_ADMIN})),
    "dp3a_evaluation": ("dp3a", frozenset({FIGURES_INTERNAL, ROUNDS_APPROVE})),
    "subscriber": (None, frozenset({PUBLIC_READ})),
}

DEFAULT_SCOPES: dict[str, frozenset[str]] = {name: scopes for name, (_opd, scopes) in PROFILES.items()}
