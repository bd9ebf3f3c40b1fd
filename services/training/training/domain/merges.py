"""Two registry records of one woman, merged (``registry.WomenMerged``) or the merge undone (``WomenUnmerged``):
what training does with her refs and enrolments. Pure.

The rules (written down in the training README, "Merged records"):

- A ref retired by a merge is an alias of the surviving ref: a command or an event naming it applies to the
  survivor, her enrolments and placements are listed under the survivor, and she holds one seat per course.
- Each fact keeps the ref it was recorded under: an event about an enrolment made under the retired ref still
  names that ref (its consumers resolve it through the merges in force), so an undo needs nothing re-published.
- Overlapping enrolments (both records enrolled in one course): one counts — the furthest along (completed, then
  enrolled, then dropped out), then the earliest (the date of that status), then by ref so every service picks
  the same. The other is kept, set aside, and comes back when the merge is undone.
- The survivor of a chain (A into B, then B into C) is followed to its end. Merges in force can only form chains
  (the registry refuses to merge a retired record); a loop seen while events cross partitions is cut after
  ``MAX_CHAIN`` steps and undone by the next event.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from .model import COMPLETED, DROPPED, ENROLLED

MAX_CHAIN = 32
_PRECEDENCE = {COMPLETED: 0, ENROLLED: 1, DROPPED: 2}


def canonical(ref: UUID, survivor_of: Mapping[UUID, UUID]) -> UUID:
    """The ref that counts for ``ref``: followed through the merges in force (retired -> surviving)."""
    seen = 0
    while ref in survivor_of and seen < MAX_CHAIN:
        ref, seen = survivor_of[ref], seen + 1
    return ref


def survivors(edges: Iterable[tuple[UUID, UUID]]) -> dict[UUID, UUID]:
    """retired -> surviving for the merges in force; a ref retired twice (events crossing) keeps the smaller."""
    out: dict[UUID, UUID] = {}
    for retired, surviving in sorted(edges, key=lambda e: (str(e[0]), str(e[1])), reverse=True):
        out[retired] = surviving
    return out


@dataclass(frozen=True)
class EnrolmentFact:
    """An enrolment as the overlap rule sees it."""

    course_ref: UUID
    person_ref: UUID  # the ref it was recorded under
    status: str
    on: date  # the date of its status: completed_on, dropped_on, else enrolled_on


def set_aside(enrolments: Iterable[EnrolmentFact], woman_of: Mapping[UUID, UUID]) -> set[tuple[UUID, UUID]]:
    """The (course_ref, person_ref) enrolments set aside: in each course, all but the one that counts for her."""
    by_course: dict[tuple[UUID, UUID], list[EnrolmentFact]] = {}
    for e in enrolments:
        by_course.setdefault((e.course_ref, woman_of.get(e.person_ref, e.person_ref)), []).append(e)
    aside = set()
    for held in by_course.values():
        held.sort(key=lambda e: (_PRECEDENCE.get(e.status, 9), e.on, str(e.person_ref)))
        aside |= {(e.course_ref, e.person_ref) for e in held[1:]}
    return aside
