"""The scope vocabulary of Berdaya's HTTP APIs and the default scope set of each kind of client.

A scope names what a client may change (``<thing>:write``) or a sensitive read. Reads of non-personal
data need only a valid token (any scope). Each service's ``entrypoints/policy.py`` maps its routes to
these names; the registry's client CLI grants them.
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

ALL_SCOPES = frozenset({
    WOMEN_WRITE, WELFARE_WRITE, AID_WRITE, AID_NOTES_READ, AID_NOTES_WRITE, UKM_WRITE, COOPS_WRITE, CAPITAL_WRITE,
    PERSONAL_DATA_READ, AUDIT_READ, COURSES_WRITE, PLACEMENTS_WRITE, FAIRS_WRITE, LISTINGS_WRITE, SALES_WRITE,
    MONITORING_ADMIN, FIGURES_INTERNAL, PUBLIC_READ,
})

# Client profiles: (OPD, scopes). The four OPD defaults are what an agency's staff application gets;
# case notes, the audit log and monitoring administration are separate clients held by few people.
PROFILES: dict[str, tuple[str | None, frozenset[str]]] = {
    "dp3a": ("dp3a", frozenset({WOMEN_WRITE, WELFARE_WRITE, AID_WRITE, PERSONAL_DATA_READ, COURSES_WRITE})),
    "diskop_ukm": ("diskop_ukm", frozenset({UKM_WRITE, COOPS_WRITE, CAPITAL_WRITE, PERSONAL_DATA_READ})),
    "distransnaker": ("distransnaker", frozenset({COURSES_WRITE, PLACEMENTS_WRITE})),
    "disperindag": ("disperindag", frozenset({FAIRS_WRITE, LISTINGS_WRITE, SALES_WRITE})),
    "dp3a_case_worker": ("dp3a", frozenset({AID_WRITE, AID_NOTES_READ, AID_NOTES_WRITE, PERSONAL_DATA_READ})),
    "dp3a_dpo": ("dp3a", frozenset({AUDIT_READ})),
    "monitoring_admin": ("dp3a", frozenset({MONITORING_ADMIN})),
    "dp3a_evaluation": ("dp3a", frozenset({FIGURES_INTERNAL})),
    "subscriber": (None, frozenset({PUBLIC_READ})),
}

DEFAULT_SCOPES: dict[str, frozenset[str]] = {name: scopes for name, (_opd, scopes) in PROFILES.items()}
