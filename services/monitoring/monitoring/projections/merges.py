"""Merges of two records of one woman (registry.WomenMerged, registry.WomenUnmerged).

One row per merge in ``merges``; each event writes only its own columns, so a merge and its undo give the same row
in either arrival order, and a repeat changes nothing. The facts themselves are never rewritten: the projection's
``*_merged`` views (``adapters/projection.sql``) show every fact under the ref it counts for while the merge is in
force — a fact recorded under the retired ref before the merge or arriving after it alike — and an undo gives
each fact back to the ref it was recorded under.
"""

from .batch import Handler
from .fact import Fact

MERGED = Fact("merges", "merge_ref retired_ref surviving_ref merged_on",
              "(merge_ref) DO UPDATE SET merged_on = EXCLUDED.merged_on")
UNMERGED = Fact("merges", "merge_ref retired_ref surviving_ref unmerged_on",
                "(merge_ref) DO UPDATE SET unmerged_on = EXCLUDED.unmerged_on")

HANDLERS: dict[str, Handler] = {
    "registry.WomenMerged": MERGED.copy,
    "registry.WomenUnmerged": UNMERGED.copy,
}
