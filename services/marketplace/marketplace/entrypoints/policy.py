"""Who may call what on the marketplace service (Disperindag): scopes per route. Fairs, booths, listings and sales
name their owners (person refs): reading them needs records:read (OPD staff), not a subscriber's public:read."""

from berdaya_shared import scopes as s
from berdaya_shared.auth import PUBLIC, Policy, Rule

POLICY = Policy({
    ("GET", "/asyncapi"): PUBLIC,
    ("GET", "/asyncapi.json"): PUBLIC,
    ("POST", "/fairs"): Rule(s.FAIRS_WRITE),
    ("POST", "/fairs/{fair_ref}/booths"): Rule(s.FAIRS_WRITE),
    ("POST", "/fairs/{fair_ref}/sales-sheet"): Rule(s.SALES_WRITE),
    ("POST", "/listings"): Rule(s.LISTINGS_WRITE),
    ("POST", "/listings/{product_ref}/delist"): Rule(s.LISTINGS_WRITE),
    ("POST", "/sales"): Rule(s.SALES_WRITE),
    ("GET", "/fairs"): Rule(s.RECORDS_READ),
    ("GET", "/fairs/{fair_ref}"): Rule(s.RECORDS_READ),
    ("GET", "/fairs/{fair_ref}/booths"): Rule(s.RECORDS_READ),
    ("GET", "/listings"): Rule(s.RECORDS_READ),
    ("GET", "/sales"): Rule(s.RECORDS_READ),
}, default_read=None, body_limits={("POST", "/fairs/{fair_ref}/sales-sheet"): 2 * 2**20})  # 5,000 rows
