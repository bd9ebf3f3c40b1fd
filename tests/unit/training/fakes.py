"""In-memory stand-ins for the training unit of work: the same methods as the SQL repositories, dicts inside."""

from dataclasses import replace
from typing import Any
from uuid import UUID

from berdaya_shared.unit_of_work import RecordingUnitOfWork
from training.domain.merges import canonical
from training.domain.model import COMPLETED, DROPPED, ENROLLED, Course, Enrolment, Woman
from training.service_layer import translator


class FakeCourses:
    def __init__(self) -> None:
        self.courses: dict[UUID, Course] = {}
        self.enrolments: dict[tuple[UUID, UUID], dict[str, Any]] = {}
        self.attendance: dict[tuple[UUID, UUID, int], bool] = {}

    async def add(self, course: Course) -> None:
        self.courses[course.course_ref] = replace(course)

    async def get(self, course_ref: UUID, *, for_update: bool = False) -> Course | None:
        return self.courses.get(course_ref)

    async def update_schedule(self, course: Course) -> None:
        self.courses[course.course_ref] = replace(course)

    def _present(self, course_ref: UUID, person_ref: UUID) -> set[int]:
        return {s for (c, p, s), here in self.attendance.items() if (c, p) == (course_ref, person_ref) and here}

    async def summary(self, course_ref: UUID) -> dict[str, Any] | None:
        course = self.courses.get(course_ref)
        if course is None:
            return None
        mine = [e for (c, _), e in self.enrolments.items() if c == course_ref]
        return {**vars(course), "enrolled": sum(e["status"] == ENROLLED for e in mine),
                "completed": sum(e["status"] == COMPLETED for e in mine),
                "certified": sum(bool(e["certified"]) for e in mine),
                "dropped": sum(e["status"] == DROPPED for e in mine)}

    async def summaries(self, *, filters: dict[str, Any], limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        found = [await self.summary(ref) for ref, c in self.courses.items()
                 if all(v is None or getattr(c, k) == v for k, v in filters.items())]
        return [f for f in found if f][offset:offset + limit], len(found)

    async def seats_taken(self, course_ref: UUID) -> int:
        return sum(1 for (c, _), e in self.enrolments.items() if c == course_ref and e["status"] != DROPPED)

    async def get_enrolment(self, course_ref: UUID, person_ref: UUID) -> Enrolment | None:
        return (await self.get_enrolments(course_ref, [person_ref])).get(person_ref)

    async def get_enrolments(self, course_ref: UUID, person_refs: list[UUID]) -> dict[UUID, Enrolment]:
        return {p: Enrolment(course_ref, p, e["status"], e["enrolled_on"], self._present(course_ref, p))
                for (c, p), e in self.enrolments.items() if c == course_ref and p in person_refs}

    async def add_enrolment(self, enrolment: Enrolment) -> None:
        self.enrolments[(enrolment.course_ref, enrolment.person_ref)] = {
            "course_ref": enrolment.course_ref, "person_ref": enrolment.person_ref, "status": enrolment.status,
            "enrolled_on": enrolment.enrolled_on, "completed_on": None, "certified": None, "certificate_no": None,
            "override_reason": None, "dropped_on": None, "drop_reason": None, "attendance_rate": None}

    async def enrolment_summary(self, course_ref: UUID, person_ref: UUID) -> dict[str, Any] | None:
        e = self.enrolments.get((course_ref, person_ref))
        if e is None:
            return None
        return {**e, "sessions": self.courses[course_ref].sessions,
                "sessions_present": len(self._present(course_ref, person_ref))}

    async def enrolment_summaries(self, course_ref: UUID, *, status: str | None, limit: int,
                                  offset: int) -> tuple[list[dict[str, Any]], int]:
        rows = [await self.enrolment_summary(c, p) for (c, p), e in self.enrolments.items()
                if c == course_ref and status in (None, e["status"])]
        return [r for r in rows if r][offset:offset + limit], len(rows)

    async def stored_attendance(self, course_ref: UUID, session_no: int, person_refs: list[UUID]) -> dict[UUID, bool]:
        return {p: v for (c, p, s), v in self.attendance.items()
                if c == course_ref and s == session_no and p in person_refs}

    async def save_attendance(self, course_ref: UUID, session_no: int, marks: list[tuple[UUID, bool]]) -> None:
        for person_ref, present in marks:
            self.attendance[(course_ref, person_ref, session_no)] = present

    async def session_sheet(self, course_ref: UUID, session_no: int) -> list[dict[str, Any]]:
        return [{"person_ref": p, "present": v} for (c, p, s), v in sorted(self.attendance.items(), key=str)
                if c == course_ref and s == session_no]

    async def mark_completed(self, *, course_ref: UUID, person_ref: UUID, **values: Any) -> None:
        self.enrolments[(course_ref, person_ref)].update(status=COMPLETED, **values)

    async def mark_dropped(self, *, course_ref: UUID, person_ref: UUID, dropped_on: Any, reason: str) -> None:
        self.enrolments[(course_ref, person_ref)].update(status=DROPPED, dropped_on=dropped_on, drop_reason=reason)


class FakePlacements:
    def __init__(self) -> None:
        self.rows: dict[UUID, dict[str, Any]] = {}

    async def add(self, values: dict[str, Any]) -> None:
        self.rows[values["placement_ref"]] = dict(values)

    async def get(self, placement_ref: UUID) -> dict[str, Any] | None:
        return self.rows.get(placement_ref)

    async def page(self, *, person_ref: UUID | None, course_ref: UUID | None, limit: int,
                   offset: int) -> tuple[list[dict[str, Any]], int]:
        rows = [r for r in self.rows.values()
                if person_ref in (None, r["person_ref"]) and course_ref in (None, r["course_ref"])]
        return rows[offset:offset + limit], len(rows)


class FakeWomen:
    def __init__(self) -> None:
        self.women: dict[UUID, Woman] = {}
        self.survivor_of: dict[UUID, UUID] = {}  # retired -> surviving, the merges in force

    def register(self, person_ref: UUID, *, erased: bool = False) -> None:
        self.women[person_ref] = Woman(person_ref, True, erased)

    async def get(self, person_ref: UUID) -> Woman | None:
        return self.women.get(person_ref)

    async def resolve(self, person_ref: UUID) -> UUID:
        return canonical(person_ref, self.survivor_of)


class FakeTrainingUnitOfWork(RecordingUnitOfWork):
    def __init__(self) -> None:
        super().__init__(translator.to_contract)
        self.courses = FakeCourses()
        self.placements = FakePlacements()
        self.women = FakeWomen()
