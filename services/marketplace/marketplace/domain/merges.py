"""Two registry records of one woman merged (``registry.WomenMerged``) or the merge undone (``WomenUnmerged``):
who owns a business now. Pure.

- A business registered under a retired ref belongs to the surviving ref while the merge is in force: new sales,
  listings and booths name the survivor. Its registration (recorded owner) is kept, so an undo gives it back.
- A survivor retired later (A into B, then B into C) is followed to the end of the chain; the registry refuses to
  merge a retired record, so merges in force form chains. A loop (events crossing partitions) is cut after
  ``MAX_CHAIN`` steps; the next event about it undoes it.
- The same rule as training's and monitoring's, so every service counts her under the same ref.
"""

from collections.abc import Iterable, Mapping
from uuid import UUID

MAX_CHAIN = 32


def survivors(edges: Iterable[tuple[UUID, UUID]]) -> dict[UUID, UUID]:
    """retired -> surviving for the merges in force (a ref retired twice while events cross: the smaller survivor)."""
    out: dict[UUID, UUID] = {}
    for retired, surviving in sorted(edges, key=lambda e: (str(e[0]), str(e[1])), reverse=True):
        out[retired] = surviving
    return out


def owner_now(recorded: UUID, survivor_of: Mapping[UUID, UUID]) -> UUID:
    """The ref a business registered with owner ``recorded`` belongs to now: followed through the merges in force."""
    ref, steps = recorded, 0
    while ref in survivor_of and steps < MAX_CHAIN:
        ref, steps = survivor_of[ref], steps + 1
    return ref
