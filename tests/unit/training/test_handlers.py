"""Each training command handler on the in-memory unit of work: what it stores, answers and publishes."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from berdaya_contracts import training_v1 as v1
from berdaya_shared.errors import Conflict, Invalid, NotFound
from training.domain import events
from training.service_layer import courses, participants, placements

from .fakes import FakeTrainingUnitOfWork

START, END = date(2025, 3, 3), date(2025, 3, 21)


async def scheduled(uow: FakeTrainingUnitOfWork, *, sessions: int = 4, capacity: int = 2) -> dict:
    return await courses.create(uow, organizer_opd="distransnaker", field="manufaktur", kecamatan_code="64.02.06",
                                title="Operator Mesin Jahit", starts_on=START, ends_on=END, sessions=sessions,
                                capacity=capacity, completion_threshold=Decimal("0.75"))


async def enrolled(uow: FakeTrainingUnitOfWork, course: dict, n: int = 1) -> list:
    refs = []
    for _ in range(n):
        ref = uuid4()
        uow.women.register(ref)
        await participants.enrol(uow, course_ref=course["course_ref"], person_ref=ref, enrolled_on=START)
        refs.append(ref)
    return refs


async def test_scheduling_stores_the_course_and_publishes_course_scheduled() -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow)
    assert course["seats_left"] == 2 and course["fill_rate"] == 0
    assert uow.published == [events.CourseScheduled(course["course_ref"], "distransnaker", "manufaktur", "64.02.06",
                                                    START, END, 4, 2)]
    assert isinstance(uow.contracts[0], v1.CourseScheduled)


async def test_a_course_ending_before_it_starts_is_refused_and_publishes_nothing() -> None:
    uow = FakeTrainingUnitOfWork()
    with pytest.raises(Invalid) as refused:
        await courses.create(uow, organizer_opd="dp3a", field="kuliner", kecamatan_code="64.02.06", title="Kue",
                             starts_on=END, ends_on=START, sessions=2, capacity=5,
                             completion_threshold=Decimal("0.75"))
    assert refused.value.field == "ends_on" and uow.published == [] and uow.courses.courses == {}


async def test_rescheduling_stores_the_new_dates_and_capacity_and_publishes_course_rescheduled() -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow, capacity=3)
    await enrolled(uow, course, 2)
    ref = course["course_ref"]
    before = len(uow.published)
    today = date(2025, 3, 10)
    answer = await courses.reschedule(uow, course_ref=ref, starts_on=date(2025, 3, 10), ends_on=date(2025, 4, 4),
                                      capacity=2, today=today)
    assert (answer["starts_on"], answer["ends_on"], answer["capacity"], answer["seats_left"]) == (
        date(2025, 3, 10), date(2025, 4, 4), 2, 0)
    assert uow.published[before:] == [events.CourseRescheduled(ref, date(2025, 3, 10), date(2025, 4, 4), 2)]
    assert isinstance(uow.contracts[-1], v1.CourseRescheduled) and uow.contracts[-1].capacity == 2
    # the same values again: nothing changes, nothing is published
    await courses.reschedule(uow, course_ref=ref, starts_on=date(2025, 3, 10), ends_on=date(2025, 4, 4), capacity=2,
                             today=today)
    assert len(uow.published) == before + 1


async def test_rescheduling_refuses_capacity_below_the_seats_taken_an_end_before_the_start_and_a_finished_course(
) -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow, capacity=3)
    await enrolled(uow, course, 2)
    ref, today = course["course_ref"], date(2025, 3, 10)
    before = len(uow.published)
    with pytest.raises(Conflict) as full:
        await courses.reschedule(uow, course_ref=ref, starts_on=START, ends_on=END, capacity=1, today=today)
    assert full.value.field == "capacity" and "2 peserta" in full.value.pesan
    with pytest.raises(Invalid) as backwards:
        await courses.reschedule(uow, course_ref=ref, starts_on=END, ends_on=START, capacity=3, today=today)
    assert backwards.value.field == "ends_on"
    with pytest.raises(Conflict) as finished:
        await courses.reschedule(uow, course_ref=ref, starts_on=START, ends_on=date(2025, 5, 1), capacity=3,
                                 today=date(2025, 3, 22))
    assert finished.value.field == "ends_on" and "sudah selesai" in finished.value.pesan
    with pytest.raises(NotFound):
        await courses.reschedule(uow, course_ref=uuid4(), starts_on=START, ends_on=END, capacity=3, today=today)
    stored = uow.courses.courses[ref]
    assert (stored.starts_on, stored.ends_on, stored.capacity) == (START, END, 3)
    assert len(uow.published) == before


async def test_enrolment_needs_a_registered_woman_and_a_free_seat() -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow, capacity=1)
    with pytest.raises(Invalid, match="not registered"):
        await participants.enrol(uow, course_ref=course["course_ref"], person_ref=uuid4(), enrolled_on=START)
    [first] = await enrolled(uow, course)
    assert uow.published[-1] == events.ParticipantEnrolled(course["course_ref"], first, START)
    with pytest.raises(Conflict, match="course is full"):
        await enrolled(uow, course)
    with pytest.raises(NotFound):
        await participants.enrol(uow, course_ref=uuid4(), person_ref=first, enrolled_on=START)


async def test_attendance_publishes_only_what_changed() -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow)
    a, b = await enrolled(uow, course, 2)
    first = await participants.record_attendance(uow, course_ref=course["course_ref"], session_no=1,
                                                 marks=[(a, True), (b, False)])
    assert first["events_published"] == 2
    again = await participants.record_attendance(uow, course_ref=course["course_ref"], session_no=1,
                                                 marks=[(a, True), (b, True)])
    assert [r["result"] for r in again["rows"]] == ["unchanged", "corrected"]
    assert uow.published[-1] == events.AttendanceRecorded(course["course_ref"], b, 1, True)


async def test_completion_certifies_at_the_threshold_and_needs_a_reason_below_it() -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow, sessions=4)
    a, b = await enrolled(uow, course, 2)
    for session in (1, 2, 3):
        await participants.record_attendance(uow, course_ref=course["course_ref"], session_no=session,
                                             marks=[(a, True), (b, session == 1)])
    done = await participants.complete(uow, course_ref=course["course_ref"], person_ref=a, completed_on=END,
                                       override_reason=None)
    assert done["status"] == "completed" and done["certified"] and done["certificate_no"].startswith("DISTRANSNAKER/")
    with pytest.raises(Invalid) as refused:
        await participants.complete(uow, course_ref=course["course_ref"], person_ref=b, completed_on=END,
                                    override_reason=None)
    assert refused.value.field == "override_reason"
    late = await participants.complete(uow, course_ref=course["course_ref"], person_ref=b, completed_on=END,
                                       override_reason="Sakit, tugas akhir dikumpulkan")
    assert not late["certified"] and late["certificate_no"] is None
    assert uow.published[-1] == events.TrainingCompleted(course["course_ref"], b, END, Decimal("0.25"), False)


async def test_a_drop_out_frees_her_seat_and_closes_her_record() -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow, capacity=1)
    [a] = await enrolled(uow, course)
    dropped = await participants.drop(uow, course_ref=course["course_ref"], person_ref=a, dropped_on=START,
                                      reason="pekerjaan")
    assert dropped["status"] == "dropped"
    assert uow.published[-1] == events.ParticipantDropped(course["course_ref"], a, START, "pekerjaan")
    await enrolled(uow, course)  # the seat is free again
    with pytest.raises(Conflict, match="already dropped out"):
        await participants.drop(uow, course_ref=course["course_ref"], person_ref=a, dropped_on=START,
                                reason="pekerjaan")


async def test_a_placement_after_a_course_needs_its_completion() -> None:
    uow = FakeTrainingUnitOfWork()
    course = await scheduled(uow, sessions=1)
    [a] = await enrolled(uow, course)
    kwargs = dict(person_ref=a, course_ref=course["course_ref"], sector="manufaktur", formal=True,
                  monthly_wage_idr=3_800_000, placed_on=END, recorded_by_opd="distransnaker")
    with pytest.raises(Invalid) as refused:
        await placements.create(uow, **kwargs)
    assert refused.value.field == "course_ref"
    await participants.record_attendance(uow, course_ref=course["course_ref"], session_no=1, marks=[(a, True)])
    await participants.complete(uow, course_ref=course["course_ref"], person_ref=a, completed_on=END,
                                override_reason=None)
    placed = await placements.create(uow, **kwargs)
    assert placed["formal"] and isinstance(uow.published[-1], events.JobPlaced)
    assert isinstance(uow.contracts[-1], v1.JobPlaced) and uow.contracts[-1].monthly_wage_idr == 3_800_000
