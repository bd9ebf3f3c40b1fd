"""Who may call what on the marketplace service (Disperindag): scopes per route. Fairs, booths, listings and sales
name their owners (person refs): reading them needs records:read (OPD staff), not a subscriber's public:read."""

from berdaya_shared import scopes as s
from berdaya_shared.auth import PUBLIC, Policy, Rule

POLICY = Policy({
    ("GET", "/asyncapi"): PUBLIC,
    ("GET", "/asyncapi.json"): PUBLIC,
    ("POST", "/fairs"): Rule(s.FAIRS_WRITE),
    ("POST", "/fairs/{fair_ref}/booths"): Rule(s.FAIRS_WRITE),
    ("POST", "/fairs/{fair_ref}/shared-booths"): Rule(s.FAIRS_WRITE),
    ("POST", "/fairs/{fair_ref}/shared-booths/{booth_no}/businesses"): Rule(s.FAIRS_WRITE),
    ("POST", "/fairs/{fair_ref}/sales-sheet"): Rule(s.SALES_WRITE),
    ("POST", "/listings"): Rule(s.LISTINGS_WRITE),
    ("POST", "/listings/{product_ref}/delist"): Rule(s.LISTINGS_WRITE),
    ("POST", "/sales"): Rule(s.SALES_WRITE),
    ("GET", "/fairs"): Rule(s.RECORDS_READ),
    ("GET", "/fairs/{fair_ref}"): Rule(s.RECORDS_READ),
    ("GET", "/fairs/{fair_ref}/booths"): Rule(s.RECORDS_READ),
    ("GET", "/listings"): Rule(s.RECORDS_READ),
    ("GET", "/sales"): Rule(s.RECORDS_READ),
    # Staff pages (SessionRoute): a form is neither offered nor accepted without its scope.
    ("GET", "/pameran"): Rule(s.RECORDS_READ),
    ("GET", "/pameran/{fair_ref}"): Rule(s.RECORDS_READ),
    ("GET", "/produk"): Rule(s.RECORDS_READ),
    ("GET", "/pameran/baru"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/baru"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/{fair_ref}/stan"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/{fair_ref}/stan-bersama"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/{fair_ref}/stan-bersama/tambah"): Rule(s.FAIRS_WRITE),
    ("GET", "/pameran/{fair_ref}/penjualan"): Rule(s.SALES_WRITE),
    ("POST", "/pameran/{fair_ref}/penjualan"): Rule(s.SALES_WRITE),
    ("POST", "/produk"): Rule(s.LISTINGS_WRITE),
    ("POST", "/produk/{product_ref}/turunkan"): Rule(s.LISTINGS_WRITE),
}, default_read=None, body_limits={("POST", "/fairs/{fair_ref}/sales-sheet"): 2 * 2**20,  # 5,000 rows
                                   ("POST", "/pameran/{fair_ref}/penjualan"): 2 * 2**20})
