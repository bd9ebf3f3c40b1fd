"""The rules for merged registry records in training (domain.merges), without I/O."""

from datetime import date
from uuid import uuid4

from training.domain import merges
from training.domain.merges import EnrolmentFact


def test_a_retired_ref_counts_as_the_end_of_its_chain_and_a_loop_is_cut() -> None:
    a, b, c, d = (uuid4() for _ in range(4))
    survivor_of = merges.survivors([(a, b), (b, c)])
    assert [merges.canonical(x, survivor_of) for x in (a, b, c, d)] == [c, c, c, d]
    looped = merges.survivors([(a, b), (b, a)])  # two events crossing on their way: cut, not endless
    assert merges.canonical(a, looped) in (a, b)


def test_a_ref_retired_twice_while_events_cross_picks_the_same_survivor_in_any_order() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    assert merges.survivors([(a, b), (a, c)]) == merges.survivors([(a, c), (a, b)])


def test_of_two_enrolments_in_one_course_the_furthest_along_then_the_earliest_counts() -> None:
    course, other_course, r, s = uuid4(), uuid4(), uuid4(), uuid4()
    woman_of = {r: s, s: s}
    completed = EnrolmentFact(course, r, "completed", date(2025, 3, 14))
    enrolled = EnrolmentFact(course, s, "enrolled", date(2025, 3, 1))
    assert merges.set_aside([enrolled, completed], woman_of) == {(course, s)}
    dropped = EnrolmentFact(course, r, "dropped", date(2025, 3, 5))
    assert merges.set_aside([dropped, enrolled], woman_of) == {(course, r)}
    earlier = EnrolmentFact(course, r, "enrolled", date(2025, 2, 27))
    assert merges.set_aside([enrolled, earlier], woman_of) == {(course, s)}
    alone = EnrolmentFact(other_course, r, "dropped", date(2025, 3, 5))
    assert merges.set_aside([alone, enrolled], woman_of) == set()  # different courses: both count
    assert merges.set_aside([dropped, enrolled], {}) == set()  # not merged: two women
