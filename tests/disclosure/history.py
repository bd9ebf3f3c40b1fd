"""Generated program histories (hypothesis): women registered across a few kecamatan and months, with welfare
assessments, training, businesses, sales and aid — events as the three producing services publish them."""

import uuid
from datetime import date, timedelta

from berdaya_contracts import Envelope, new_envelope
from berdaya_contracts import marketplace_v1 as m
from berdaya_contracts import registry_v1 as r
from berdaya_contracts import training_v1 as t
from hypothesis import strategies as st

KECAMATAN = ("64.02.06", "64.02.07", "64.02.12")
AGES = ("18-24", "25-34", "45-54", "65+")
PEKKA = ("none", "productive", "child_marriage_risk")
AID = ("legal_assistance", "counselling", "social_aid", "shelter")

woman = st.fixed_dictionaries({
    "kec": st.sampled_from(KECAMATAN), "desa": st.sampled_from(("2001", "2002", None)),
    "month": st.integers(1, 12), "age": st.sampled_from(AGES), "pekka": st.sampled_from(PEKKA),
    "below": st.booleans(), "exits": st.booleans(), "trained": st.booleans(), "business": st.booleans(),
    "sale": st.integers(0, 3), "aid": st.sampled_from((None, *AID)),
})
histories = st.lists(woman, min_size=1, max_size=28)


def events(women: list[dict], seed: int, *, months: range = range(1, 13), late: bool = False) -> list[Envelope]:
    """The events of the women registered in ``months`` of 2025 (``late``: recorded after those months closed)."""
    rnd = uuid.UUID(int=seed)
    out: list[Envelope] = []
    course = uuid.uuid5(rnd, "course")
    out.append(new_envelope(t.CourseScheduled(course_ref=course, organizer_opd="dp3a", field="kuliner",
                                              kecamatan_code=KECAMATAN[0], starts_on=date(2025, 1, 6),
                                              ends_on=date(2025, 1, 20), sessions=4, capacity=40)))
    for i, w in enumerate(women):
        if w["month"] not in months:
            continue
        person = uuid.uuid5(rnd, f"w{i}")
        day = date(2025, w["month"], 1 + i % 27)
        desa = f"{w['kec']}.{w['desa']}" if w["desa"] else None
        out.append(new_envelope(r.WomanRegistered(
            person_ref=person, kecamatan_code=w["kec"], desa_code=desa, age_band=w["age"], pekka_category=w["pekka"],
            household_size=4, registered_by_opd="dp3a", registered_on=day)))
        income = 2_000_000 if w["below"] else 4_000_000
        out.append(new_envelope(r.WelfareAssessed(
            assessment_ref=uuid.uuid5(person, "base"), person_ref=person, assessed_on=day, household_size=4,
            monthly_household_income_idr=income, per_capita_income_idr=income // 4, poverty_line_idr=753_332,
            below_poverty_line=w["below"], is_baseline=True)))
        if w["below"] and w["exits"]:
            later = min(day + timedelta(days=60), date(2025, 12, 20))
            out.append(new_envelope(r.WelfareAssessed(
                assessment_ref=uuid.uuid5(person, "later"), person_ref=person, assessed_on=later, household_size=4,
                monthly_household_income_idr=4_000_000, per_capita_income_idr=1_000_000, poverty_line_idr=753_332,
                below_poverty_line=False, is_baseline=False)))
        if w["trained"]:
            out.append(new_envelope(t.ParticipantEnrolled(course_ref=course, person_ref=person, enrolled_on=day)))
            out.append(new_envelope(t.TrainingCompleted(course_ref=course, person_ref=person, completed_on=day,
                                                        attendance_rate=1.0, certified=True)))
        if w["business"]:
            business = uuid.uuid5(person, "business")
            out.append(new_envelope(r.BusinessRegistered(
                business_ref=business, owner_person_ref=person, sector="kuliner", kecamatan_code=w["kec"],
                has_nib=i % 2 == 0, has_pirt=True, has_halal=i % 3 == 0, started_on=day, registered_on=day)))
            for k in range(w["sale"]):
                out.append(new_envelope(m.SaleRecorded(
                    sale_ref=uuid.uuid5(business, f"sale{k}"), business_ref=business, owner_person_ref=person,
                    channel=("digital", "trade_fair", "modern_retail")[k % 3], amount_idr=50_000 * (1 + (i + k) % 7),
                    quantity=1, sold_on=day)))
        if w["aid"]:
            out.append(new_envelope(r.AidProvided(aid_ref=uuid.uuid5(person, "aid"), person_ref=person,
                                                  kind=w["aid"], provider_opd="dp3a", provided_on=day)))
    return out if not late else out[1:]
