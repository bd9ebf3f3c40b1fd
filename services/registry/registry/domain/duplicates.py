"""Possible duplicates: when two records may be the same woman. Pure (the names arrive in clear; the adapters seal
and open them).

Two living records are compared when they share the birth date and the kecamatan and their desa agree or one of
them has none (a list without a desa column is compared within the kecamatan). Their names are reduced to a
*skeleton* first, so the ways one name is written in Kukar's lists do not hide a duplicate:

- case, accents, punctuation and spacing ("Siti Rahma Wati", "SITI RAHMAWATI");
- honorifics and religious titles before the name (Hj., Hajah, Haji, Ny., Nyonya, Bu, Ibu, Mbak, Bunda, Nn.) and
  academic titles (Dr., Dra., Ir., Prof.; degrees after a comma or at the end: "Siti Aminah, S.Pd", "A.Md");
- "St." written for Siti;
- doubled letters ("Rahmawatti") and the old spelling still found on KTPs and paper lists (oe -> u, dj -> j,
  tj -> c, nj -> ny, sj -> sy, ch -> kh, then j and y -> i: "Soeharti", "Djuwita", "Wahjuni", "Rahmawaty").

Skeletons are compared with RapidFuzz (normalised Indel similarity, 0-100), whole and token by token (a name
written in another order); a pair is a possible duplicate at ``THRESHOLD`` or above. The threshold was chosen on
the test pairs in tests/unit/registry/test_duplicates.py: one typo in a two-word name stays above it, a different
first or last name falls below it.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

THRESHOLD = 88

_HONORIFICS = frozenset({
    "hj", "hjh", "hajah", "haji", "h", "ny", "nyonya", "bu", "ibu", "mbak", "mba", "bunda", "nn", "nona",
    "sdri", "saudari", "dr", "dra", "drs", "ir", "prof", "almh", "alm",
})
# Degrees written after the name without a comma ("Siti Aminah SPd"); only dropped at the end of a longer name.
_DEGREES = frozenset({
    "spd", "spdi", "se", "sei", "sh", "shi", "skm", "skep", "ssos", "ssi", "sag", "sip", "sst", "sp", "sth",
    "amd", "amk", "amdkeb", "amkeb", "mm", "mpd", "msi", "mh", "mkes", "apt", "ners",
})
_ABBREVIATIONS = {"st": "siti"}
# The old spelling and j/y, in one pass: oe -> u, dj -> j, tj -> c, nj -> ny, sj -> sy, ch -> kh, then j, y -> i.
_SPELLING = {"oe": "u", "dj": "i", "tj": "c", "nj": "ni", "sj": "si", "ch": "kh", "j": "i", "y": "i"}
_OLD_SPELLING = re.compile("|".join(_SPELLING))
_DOUBLED = re.compile(r"(.)\1+")
_NOT_LETTER = re.compile(r"[^a-z.]+")


def tokens(name: str) -> list[str]:
    """The name's words after dropping titles, degrees and punctuation, abbreviations spelled out, each word in
    the modern spelling with doubled letters collapsed."""
    text = name if name.isascii() else unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.casefold().split(",", 1)[0]  # "Siti Aminah, S.Pd": what follows a comma is a degree
    words = []
    for chunk in _NOT_LETTER.sub(" ", text).split():
        joined = chunk.replace(".", "")
        # "S.Pd" and "Ny." are one title; "Hj.Siti" is a title and a name
        words.extend([joined] if joined in _HONORIFICS | _DEGREES else [p for p in chunk.split(".") if p])
    while len(words) > 1 and words[0] in _HONORIFICS:
        words.pop(0)
    while len(words) > 2 and words[-1] in _DEGREES:
        words.pop()
    return [_DOUBLED.sub(r"\1", _OLD_SPELLING.sub(_modern, _ABBREVIATIONS.get(word, word))) for word in words]


def _modern(match: re.Match[str]) -> str:
    return _SPELLING[match[0]]


def skeleton(name: str) -> str:
    """The name as one string without spaces: "Hj. Siti Rahma Wati" and "SITI RAHMAWATTY" give "sitirahmawati"."""
    return "".join(tokens(name))


def similarity(a: str, b: str) -> float:
    """0-100: how alike two names are once reduced (whole skeletons, or their words in any order)."""
    return token_similarity(tokens(a), tokens(b))


def token_similarity(ta: list[str], tb: list[str]) -> float:
    """``similarity`` of two names already reduced by ``tokens`` (a batch reduces each name once)."""
    whole = fuzz.ratio("".join(ta), "".join(tb))
    if whole == 100 or not ta or not tb:
        return whole
    return max(whole, fuzz.token_sort_ratio(" ".join(ta), " ".join(tb)))


@dataclass(frozen=True)
class Record:
    """What the matcher sees of a record: its ref, name in clear and the block it belongs to."""

    ref: object
    full_name: str
    birth_date: date
    kecamatan_code: str
    desa_code: str | None


def same_place(a: Record, b: Record) -> bool:
    """Same kecamatan, and the same desa unless one of them has none."""
    if a.kecamatan_code != b.kecamatan_code:
        return False
    return a.desa_code is None or b.desa_code is None or a.desa_code == b.desa_code


def name_score(a: list[str], b: list[str]) -> float | None:
    """The similarity of two names reduced by ``tokens`` when it reaches ``THRESHOLD``, else None (for two records
    already in one block)."""
    value = token_similarity(a, b)
    return value if value >= THRESHOLD else None


def score(a: Record, b: Record) -> float | None:
    """The pair's similarity when it is a possible duplicate (same birth date, same place, similar name), else
    None. The repository selects the block in SQL and applies ``name_score``; this is the whole rule."""
    if a.ref == b.ref or a.birth_date != b.birth_date or not same_place(a, b):
        return None
    return name_score(tokens(a.full_name), tokens(b.full_name))
