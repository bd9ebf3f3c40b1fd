"""Who may call what on the marketplace service (Disperindag): scopes per route; reads need any valid token."""

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
    # Staff pages (SessionRoute): a form is neither offered nor accepted without its scope.
    ("GET", "/pameran/baru"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/baru"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/{fair_ref}/stan"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/{fair_ref}/stan-bersama"): Rule(s.FAIRS_WRITE),
    ("POST", "/pameran/{fair_ref}/stan-bersama/tambah"): Rule(s.FAIRS_WRITE),
    ("GET", "/pameran/{fair_ref}/penjualan"): Rule(s.SALES_WRITE),
    ("POST", "/pameran/{fair_ref}/penjualan"): Rule(s.SALES_WRITE),
    ("POST", "/produk"): Rule(s.LISTINGS_WRITE),
    ("POST", "/produk/{product_ref}/turunkan"): Rule(s.LISTINGS_WRITE),
})
