"""The cohort funnel over HTTP, both faces: exact for the evaluation team, the audited release for the public."""

from datetime import date
from typing import Any

from monitoring.service_layer.release import make_release

from tests.monitoring.conftest import Monitoring
from tests.monitoring.scenario import program
from tests.support.kafka import wait_for

KECAMATAN = ("64.02.06", "64.02.07", "64.02.12")
EVENTS = program(seed=11, women=40, kecamatan=KECAMATAN)  # registered in January 2026
STEPS = ["registered", "trained", "business", "market", "above_poverty_line"]


async def exact(m: Monitoring, **params: Any) -> dict[str, Any]:
    resp = await m.client.get("/api/cohort", params={"period": "2026-01", **params})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["face"] == "internal"
    return body


async def _settled(m: Monitoring) -> bool:
    return (await exact(m))["steps"][0]["value"] == 40


async def test_the_internal_cohort_is_exact_and_each_step_a_part_of_the_one_before(monitoring: Monitoring) -> None:
    await monitoring.events.publish(EVENTS)
    await wait_for(lambda: _settled(monitoring), timeout_s=60)
    body = await exact(monitoring)
    values = [s["value"] for s in body["steps"]]
    assert [s["step"] for s in body["steps"]] == STEPS
    assert values == sorted(values, reverse=True) and values[0] == 40
    funnel = (await monitoring.client.get("/api/funnel", params={"period": "2026-01"})).json()
    assert values == [s["cohort"] for s in funnel]  # the same read model as the internal funnel
    assert body["sentence"].startswith(f"Dari 40 perempuan terdaftar, {values[1]} mengikuti pelatihan; dari mereka, ")
    assert body["steps"][1]["rate_of_previous"] == round(values[1] / 40, 4)


async def test_before_a_release_the_public_sees_no_cohort(monitoring: Monitoring) -> None:
    resp = await monitoring.public.get("/api/cohort")
    assert resp.status_code == 404 and resp.json()["kesalahan"][0]["field"] == "period"


async def test_the_public_cohort_is_the_audited_release(monitoring: Monitoring) -> None:
    async with monitoring.app.state.runtime.pool.acquire() as conn:
        made = await make_release(conn, today=date(2026, 11, 30), grace_days=10, start="2025-01")
    assert "2026-01" in made["frozen"]["cohort"] and "2026-06" not in made["frozen"]["cohort"]  # 180-day window
    for kec in (None, *KECAMATAN):
        params = {"period": "2026-01", **({"kecamatan": kec} if kec else {})}
        want = await exact(monitoring, **({"kecamatan": kec} if kec else {}))
        resp = await monitoring.public.get("/api/cohort", params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["face"] == "publik" and body["reason"].startswith("x = angka disembunyikan")
        steps = body["steps"]
        for got, truth in zip(steps, want["steps"], strict=True):
            # A shown step is exact; a withheld one shows no value, and its sentence an "x".
            assert got["value"] == (None if got["suppressed"] else truth["value"]), (kec, got, truth)
            assert not (0 < (truth["value"] or 0) < 5) or got["suppressed"], (kec, got)
        for prev, got in zip(steps, steps[1:], strict=False):
            shown = not prev["suppressed"] and not got["suppressed"]
            if shown:  # two shown steps never differ by 1..4 women (those who stopped there would be known)
                assert not 0 < prev["value"] - got["value"] < 5, (kec, prev, got)
            want_rate = round(got["value"] / prev["value"], 4) if shown and prev["value"] else None
            assert got["rate_of_previous"] == want_rate, (kec, got)
        assert body["sentence"].count("x") == sum(s["suppressed"] for s in steps)
        if kec is None:  # the regency: 40 registered, 35 trained (5 stopped: publishable), all shown
            assert body["sentence"] == want["sentence"] and not any(s["suppressed"] for s in steps)
        if kec == "64.02.06":  # 14 registered, 12 trained: the 2 who stopped must not be derivable
            assert (want["steps"][0]["value"], want["steps"][1]["value"]) == (14, 12)
            assert steps[0]["suppressed"] or steps[1]["suppressed"]
    # The regency's registrations are the published women_registered cell of the period.
    regency = (await monitoring.public.get("/api/cohort", params={"period": "2026-01"})).json()
    cell = (await monitoring.public.get("/api/indicators", params={"indicator": "women_registered",
                                                                   "period": "2026-01"})).json()
    assert regency["steps"][0]["value"] == cell["indicators"][0]["cells"][0]["value"]
    # The default period is the released one reaching furthest: the first quarter (its months all released).
    assert (await monitoring.public.get("/api/cohort")).json()["period"] == "2026-Q1"


async def test_the_public_cohort_stays_on_the_grid(monitoring: Monitoring) -> None:
    for params, status, field in (({"age_band": "25-34"}, 403, "age_band"),
                                  ({"period_from": "2026-01", "period_to": "2026-02"}, 403, "period_from"),
                                  ({"period": "2026-06"}, 404, "period"),
                                  ({"period": "2026-13"}, 422, "period"),
                                  ({"kecamatan": "64.99.99"}, 422, "kecamatan")):
        resp = await monitoring.public.get("/api/cohort", params=params)
        assert resp.status_code == status, (params, resp.text)
        assert resp.json()["kesalahan"][0]["field"].startswith(field), (params, resp.text)
