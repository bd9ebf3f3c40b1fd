"""Generated event sets: a small program year across registry, training and marketplace."""

import random
import uuid
from datetime import date, timedelta

from berdaya_contracts import Envelope, new_envelope
from berdaya_contracts import marketplace_v1 as m
from berdaya_contracts import registry_v1 as r
from berdaya_contracts import training_v1 as t


def program(seed: int, women: int = 12, kecamatan: tuple[str, ...] = ("64.02.06", "64.02.07")) -> list[Envelope]:
    """Events about ``women`` women: registration, a course, completions, businesses, sales, welfare, coops."""
    rnd = random.Random(seed)
    ref = lambda: uuid.UUID(int=rnd.getrandbits(128), version=4)  # noqa: E731
    out: list[Envelope] = []
    course = ref()
    out.append(new_envelope(t.CourseScheduled(
        course_ref=course, organizer_opd="dp3a", field="kuliner", kecamatan_code=kecamatan[0],
        starts_on=date(2026, 2, 2), ends_on=date(2026, 2, 20), sessions=6, capacity=40)))
    coop = ref()
    people = [ref() for _ in range(women)]
    out.append(new_envelope(r.CoopFormed(coop_ref=coop, kecamatan_code=kecamatan[0], kind="produsen",
                                         founding_member_refs=people[:3], formed_on=date(2026, 3, 1),
                                         has_legal_entity=True)))
    for i, person in enumerate(people):
        kec = kecamatan[i % len(kecamatan)]
        out.append(new_envelope(r.WomanRegistered(
            person_ref=person, kecamatan_code=kec, age_band=rnd.choice(["25-34", "35-44"]),
            pekka_category=rnd.choice(["none", "productive"]), household_size=4, registered_by_opd="dp3a",
            registered_on=date(2026, 1, 1) + timedelta(days=rnd.randrange(30)))))
        base_below = rnd.random() < 0.7
        out.append(new_envelope(r.WelfareAssessed(
            assessment_ref=ref(), person_ref=person, assessed_on=date(2026, 1, 15), household_size=4,
            monthly_household_income_idr=2_000_000 if base_below else 4_000_000,
            per_capita_income_idr=500_000 if base_below else 1_000_000, poverty_line_idr=753_332,
            below_poverty_line=base_below, is_baseline=True)))
        out.append(new_envelope(t.ParticipantEnrolled(course_ref=course, person_ref=person,
                                                      enrolled_on=date(2026, 1, 25))))
        if rnd.random() < 0.8:
            out.append(new_envelope(t.TrainingCompleted(course_ref=course, person_ref=person,
                                                        completed_on=date(2026, 2, 20), attendance_rate=0.9,
                                                        certified=True)))
            business = ref()
            out.append(new_envelope(r.BusinessRegistered(
                business_ref=business, owner_person_ref=person, sector="kuliner", kecamatan_code=kec,
                has_nib=rnd.random() < 0.5, has_pirt=True, has_halal=False, started_on=date(2026, 3, 1),
                registered_on=date(2026, 3, 5))))
            for period, revenue in (("2026-03", 1_000_000), ("2026-06", 1_000_000 + rnd.randrange(5) * 250_000)):
                out.append(new_envelope(r.BusinessReported(
                    business_ref=business, owner_person_ref=person, period=period, monthly_revenue_idr=revenue,
                    workers=1, has_nib=True, has_pirt=True, has_halal=False)))
            out.append(new_envelope(m.SaleRecorded(
                sale_ref=ref(), business_ref=business, owner_person_ref=person,
                channel=rnd.choice(["digital", "trade_fair"]), amount_idr=100_000 * (1 + rnd.randrange(10)),
                quantity=2, sold_on=date(2026, 4, 1))))
            out.append(new_envelope(r.WelfareAssessed(
                assessment_ref=ref(), person_ref=person, assessed_on=date(2026, 9, 1), household_size=4,
                monthly_household_income_idr=4_000_000, per_capita_income_idr=1_000_000,
                poverty_line_idr=753_332, below_poverty_line=False, is_baseline=False)))
        else:
            out.append(new_envelope(t.ParticipantDropped(course_ref=course, person_ref=person,
                                                         dropped_on=date(2026, 2, 10), reason="keluarga")))
        if i % 4 == 0:
            out.append(new_envelope(r.AidProvided(aid_ref=ref(), person_ref=person, kind="social_aid",
                                                  provider_opd="dp3a", provided_on=date(2026, 5, 1))))
    out.append(new_envelope(r.CoopMemberLeft(coop_ref=coop, person_ref=people[0], left_on=date(2026, 6, 1))))
    out.append(new_envelope(r.CoopMemberJoined(coop_ref=coop, person_ref=people[4], joined_on=date(2026, 6, 1))))
    out.append(new_envelope(r.CoopAnnualMeetingHeld(coop_ref=coop, fiscal_year=2026, held_on=date(2026, 7, 1))))
    out.append(new_envelope(r.CapitalDisbursed(disbursement_ref=ref(), recipient_type="coop", recipient_ref=coop,
                                               source="diskop_grant", amount_idr=25_000_000,
                                               disbursed_on=date(2026, 7, 2))))
    out.append(new_envelope(r.PersonalDataErased(person_ref=people[1], erased_on=date(2026, 8, 1))))
    out.append(new_envelope(r.WomanProfileCorrected(
        person_ref=people[2], kecamatan_code=kecamatan[-1], age_band="45-54", pekka_category="elderly",
        household_size=3, corrected_on=date(2026, 4, 1))))
    return out


def topic_of(env: Envelope) -> str:
    return env.event_type.split(".", 1)[0]
