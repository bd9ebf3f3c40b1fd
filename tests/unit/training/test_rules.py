"""The training rules on their own: no broker, no database."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from berdaya_shared.errors import Conflict, Invalid
from training.config import Settings
from training.domain import attendance, model


def course(sessions: int = 8, capacity: int = 2, threshold: str = "0.75") -> model.Course:
    return model.Course(uuid4(), "dp3a", "kuliner", "64.02.06", "Pelatihan Kue Basah", date(2025, 3, 3),
                        date(2025, 3, 21), sessions, capacity, Decimal(threshold))


def enrolment(c: model.Course, present: int, status: str = model.ENROLLED) -> model.Enrolment:
    return model.Enrolment(c.course_ref, uuid4(), status, date(2025, 3, 3), set(range(1, present + 1)))


@pytest.mark.parametrize(("sessions", "present", "certified"), [
    (8, 6, True), (8, 5, False), (4, 3, True), (4, 2, False), (6, 5, True), (6, 4, False), (1, 1, True),
])
def test_the_certificate_needs_attendance_at_or_above_the_threshold(sessions: int, present: int,
                                                                     certified: bool) -> None:
    c = course(sessions)
    e = enrolment(c, present)
    if certified:
        done = model.complete(c, e, person_ref=e.person_ref, completed_on=date(2025, 3, 21), override_reason=None)
        assert done.certified and done.attendance_rate == round(Decimal(present) / sessions, 4)
    else:
        with pytest.raises(Invalid) as refused:
            model.complete(c, e, person_ref=e.person_ref, completed_on=date(2025, 3, 21), override_reason=None)
        assert refused.value.field == "override_reason"
        overridden = model.complete(c, e, person_ref=e.person_ref, completed_on=date(2025, 3, 21),
                                    override_reason="Sakit, tugas akhir dikumpulkan")
        assert not overridden.certified


def test_a_course_threshold_and_the_configured_default_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    c = course(10, threshold="0.5")
    e = enrolment(c, 5)
    assert model.complete(c, e, person_ref=e.person_ref, completed_on=date(2025, 3, 21),
                          override_reason=None).certified
    monkeypatch.setenv("TRAINING_COMPLETION_THRESHOLD", "0.8")
    assert Settings().completion_threshold == Decimal("0.8")
    monkeypatch.setenv("TRAINING_COMPLETION_THRESHOLD", "1.5")
    with pytest.raises(ValueError):
        Settings()


def test_capacity_double_enrolment_and_closed_participants_are_refused() -> None:
    c = course(capacity=2)
    ref = uuid4()
    assert model.enrol(c, person_ref=ref, existing=None, seats_taken=1, enrolled_on=date(2025, 3, 3))
    with pytest.raises(Conflict):
        model.enrol(c, person_ref=ref, existing=None, seats_taken=2, enrolled_on=date(2025, 3, 3))
    with pytest.raises(Conflict):
        model.enrol(c, person_ref=ref, existing=enrolment(c, 0), seats_taken=0, enrolled_on=date(2025, 3, 3))
    done = enrolment(c, 8, status=model.COMPLETED)
    with pytest.raises(Conflict):
        model.drop(c, done, person_ref=done.person_ref, dropped_on=date(2025, 3, 5), reason="biaya")
    with pytest.raises(Invalid):
        model.complete(c, None, person_ref=uuid4(), completed_on=date(2025, 3, 21), override_reason="x")


def test_unknown_and_erased_women_are_refused_with_different_reasons() -> None:
    ref = uuid4()
    with pytest.raises(Invalid) as unknown:
        model.require_registered(None, ref)
    assert "belum sampai" in unknown.value.pesan
    with pytest.raises(Invalid) as erased:
        model.require_registered(model.Woman(ref, True, True), ref)
    assert "dihapus" in erased.value.pesan
    model.require_registered(model.Woman(ref, True, False), ref)


def test_an_attendance_batch_is_all_or_nothing_and_only_changes_publish() -> None:
    c = course(4)
    a, b = enrolment(c, 0), enrolment(c, 0)
    enrolled = {a.person_ref: a, b.person_ref: b}
    marks = [attendance.Mark(a.person_ref, True), attendance.Mark(b.person_ref, False)]
    outcomes, raised = attendance.record_session(c, 1, marks, enrolled, {a.person_ref: True, b.person_ref: True})
    assert [o.result for o in outcomes] == [attendance.UNCHANGED, attendance.CORRECTED]
    assert [(e.person_ref, e.present) for e in raised] == [(b.person_ref, False)]
    with pytest.raises(Invalid):
        attendance.record_session(c, 1, marks + [attendance.Mark(uuid4(), True)], enrolled, {})
    with pytest.raises(Invalid):
        attendance.record_session(c, 1, marks + [marks[0]], enrolled, {})
    with pytest.raises(Invalid):
        attendance.record_session(c, 5, marks, enrolled, {})


@pytest.mark.parametrize(("today", "starts_on", "ends_on", "capacity", "refused", "field"), [
    (date(2025, 3, 21), date(2025, 3, 3), date(2025, 3, 28), 2, None, None),  # its last day: still editable
    (date(2025, 3, 22), date(2025, 3, 3), date(2025, 3, 28), 2, Conflict, "ends_on"),  # finished: not edited
    (date(2025, 3, 10), date(2025, 3, 10), date(2025, 3, 9), 2, Invalid, "ends_on"),  # ends before it starts
    (date(2025, 3, 10), date(2025, 3, 3), date(2025, 3, 21), 1, Conflict, "capacity"),  # below the 2 seats taken
    (date(2025, 3, 10), date(2025, 3, 3), date(2025, 3, 21), 2, None, None),  # capacity equal to the seats: fine
])
def test_a_reschedule_keeps_to_its_rules(today: date, starts_on: date, ends_on: date, capacity: int,
                                         refused: type[Exception] | None, field: str | None) -> None:
    c = course(capacity=3)
    if refused is None:
        event = c.reschedule(starts_on=starts_on, ends_on=ends_on, capacity=capacity, seats_taken=2, today=today)
        assert event == model.events.CourseRescheduled(c.course_ref, starts_on, ends_on, capacity)
        assert (c.starts_on, c.ends_on, c.capacity) == (starts_on, ends_on, capacity)
        assert c.reschedule(starts_on=starts_on, ends_on=ends_on, capacity=capacity, seats_taken=2,
                            today=today) is None  # nothing changes the second time
        return
    with pytest.raises(refused) as why:
        c.reschedule(starts_on=starts_on, ends_on=ends_on, capacity=capacity, seats_taken=2, today=today)
    assert why.value.field == field  # type: ignore[attr-defined]
    assert (c.starts_on, c.ends_on, c.capacity) == (date(2025, 3, 3), date(2025, 3, 21), 3)  # unchanged
