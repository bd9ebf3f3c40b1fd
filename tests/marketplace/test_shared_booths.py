"""Shared booths against the real database and broker: a booth held by an outlet sells several women's businesses'
products, each sale recorded against the business whose product sold, published in v1 and v2 beside each other."""

import json

from berdaya_contracts import decode

from tests.marketplace.conftest import Market
from tests.marketplace.test_market import settled


async def test_a_pekka_outlets_booth_sells_for_several_businesses_and_each_sale_goes_to_its_business(
        market: Market) -> None:
    fair = await market.fair(booths=4)
    ref = fair["fair_ref"]
    own, own_owner = await market.known_business()
    a, owner_a = await market.known_business(sector="kerajinan")
    b, owner_b = await market.known_business()
    assert (await market.client.post(f"/fairs/{ref}/booths", json={"business_ref": str(own)})).status_code == 201
    shared = await market.client.post(f"/fairs/{ref}/shared-booths", json={
        "holder_kind": "outlet", "holder_label": "Gerai PEKKA Tenggarong", "business_refs": [str(a), str(b)]})
    assert shared.status_code == 201, shared.text
    assert shared.json()["booth_no"] == 2 and len(shared.json()["businesses"]) == 2
    booths = (await market.client.get(f"/fairs/{ref}/booths")).json()
    assert [(x["booth_no"], x["holder_kind"], x["holder_label"]) for x in booths] == [
        (1, "business", None), (2, "outlet", "Gerai PEKKA Tenggarong"), (2, "outlet", "Gerai PEKKA Tenggarong")]
    assert (await market.client.get(f"/fairs/{ref}")).json()["booths_assigned"] == 2

    # A business selling at the outlet's booth cannot also take a booth, nor join the booth twice.
    again = await market.client.post(f"/fairs/{ref}/booths", json={"business_ref": str(a)})
    assert again.status_code == 409 and "stan 2" in again.json()["pesan"]
    no_holder = await market.client.post(f"/fairs/{ref}/shared-booths", json={
        "holder_kind": "opd", "business_refs": [str(own)]})
    assert no_holder.status_code == 422 and no_holder.json()["kesalahan"][0]["field"] == "holder_opd"

    sheet = await market.client.post(f"/fairs/{ref}/sales-sheet", json={"rows": [
        {"business_ref": str(a), "amount_idr": 150_000, "quantity": 3, "sold_on": "2025-08-15", "booth_no": 2},
        {"business_ref": str(b), "amount_idr": 80_000, "quantity": 2, "sold_on": "2025-08-16"},
        {"business_ref": str(own), "amount_idr": 60_000, "quantity": 1, "sold_on": "2025-08-16"}]})
    assert sheet.status_code == 201, sheet.text
    assert [(s["business_ref"], s["owner_person_ref"], s["booth_no"], s["booth_holder_kind"])
            for s in sheet.json()["sales"]] == [(str(a), str(owner_a), 2, "outlet"), (str(b), str(owner_b), 2, "outlet"),
                                                (str(own), str(own_owner), 1, "business")]
    wrong = await market.client.post(f"/fairs/{ref}/sales-sheet", json={"rows": [
        {"business_ref": str(a), "amount_idr": 1_000, "quantity": 1, "sold_on": "2025-08-16", "booth_no": 1}]})
    assert wrong.status_code == 422 and wrong.json()["kesalahan"][0]["field"] == "rows.0.booth_no"

    # v1 consumers keep working: one v1 BoothAssigned per business (the shared booth's number), every sale in v1.
    v1_booths = await settled(market, 3, "marketplace.BoothAssigned", fair_ref=ref)
    assert sorted((e["payload"]["business_ref"], e["payload"]["booth_no"]) for e in v1_booths) == sorted(
        [(str(own), 1), (str(a), 2), (str(b), 2)])
    v1_sales = await settled(market, 3, "marketplace.SaleRecorded", fair_ref=ref)
    v2_sales = await settled(market, 3, "marketplace.SaleRecorded", 2, fair_ref=ref)
    assert {e["payload"]["sale_ref"] for e in v1_sales} == {e["payload"]["sale_ref"] for e in v2_sales}
    assert "booth_no" not in v1_sales[0]["payload"]
    assert sorted((e["payload"]["business_ref"], e["payload"]["booth_holder_kind"]) for e in v2_sales) == sorted(
        [(str(a), "outlet"), (str(b), "outlet"), (str(own), "business")])
    v2_booths = await settled(market, 2, "marketplace.BoothAssigned", 2, fair_ref=ref)
    outlet = next(e for e in v2_booths if e["payload"]["holder_kind"] == "outlet")
    assert outlet["payload"]["holder_label"] == "Gerai PEKKA Tenggarong"
    assert {x["business_ref"] for x in outlet["payload"]["businesses"]} == {str(a), str(b)}
    # Every message decodes through the published contracts (each version its own model).

    for event in (*v1_booths, *v2_booths, *v1_sales, *v2_sales):
        assert decode(json.dumps(event).encode()).envelope.event_version == event["event_version"]

    added_business, _ = await market.known_business()
    added = await market.client.post(f"/fairs/{ref}/shared-booths/2/businesses",
                                     json={"business_refs": [str(added_business)]})
    assert added.status_code == 201 and added.json()["holder_label"] == "Gerai PEKKA Tenggarong"
    not_shared = await market.client.post(f"/fairs/{ref}/shared-booths/1/businesses",
                                          json={"business_refs": [str(added_business)]})
    assert not_shared.status_code in (409, 422)
