"""Who owns a business after merges of registry records: the survivor, through chains; the registered owner again
once the merge is undone. Pure rules."""

from uuid import uuid4

from marketplace.domain import merges


def test_a_business_of_a_retired_ref_belongs_to_the_survivor_through_a_chain() -> None:
    a, b, c, other = uuid4(), uuid4(), uuid4(), uuid4()
    survivor_of = merges.survivors([(a, b), (b, c)])  # A into B, then B into C
    assert merges.owner_now(a, survivor_of) == c
    assert merges.owner_now(b, survivor_of) == c
    assert merges.owner_now(c, survivor_of) == c
    assert merges.owner_now(other, survivor_of) == other
    assert merges.owner_now(a, merges.survivors([(b, c)])) == a  # A's merge undone: hers again


def test_a_loop_while_events_cross_ends_and_a_ref_retired_twice_keeps_one_survivor() -> None:
    a, b = uuid4(), uuid4()
    assert merges.owner_now(a, {a: b, b: a}) in (a, b)
    s1, s2 = sorted([uuid4(), uuid4()], key=str)
    assert merges.survivors([(a, s2), (a, s1)]) == {a: s1} == merges.survivors([(a, s1), (a, s2)])
