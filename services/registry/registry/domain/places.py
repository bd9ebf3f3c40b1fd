"""Kutai Kartanegara's kecamatan and desa/kelurahan by code or by the name offices write, against the official
Kemendagri list shipped as data (``data/desa.csv``: 237 desa and kelurahan, provenance and licence in
``data/README.md``; the 20 kecamatan in ``kukar.py``).

A name is accepted only when it is the official name up to spelling habits that cannot change its meaning: case,
spaces, hyphens and punctuation, doubled letters ("Sangasanga", "Tengarong"), and the words "Kecamatan", "Kec.",
"Desa", "Kelurahan", "Kel.". Anything else is never guessed: when it is close to one or more official names
(rapidfuzz similarity), the answer names them ("maksud Anda: …?") and the caller decides. ``Place`` holds the
code, or the reason with its suggestions.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz, process

from .kukar import KECAMATAN

_PREFIX = re.compile(r"^(kecamatan|kec|desa|kelurahan|kel|kampung)\b\.?\s*")
_DOUBLED = re.compile(r"(.)\1+")
_KEC_CODE = re.compile(r"^64[.\s]?02[.\s]?(\d{2})$")
_DESA_CODE = re.compile(r"^64[.\s]?02[.\s]?(\d{2})[.\s]?(\d{4})$")
_BPS_CODE = re.compile(r"^64\s?03\d{3,7}$")  # BPS numbers Kukar 6403: another code system
SUGGEST_SCORE = 75.0  # rapidfuzz ratio (0-100) on the keys; below it a name is not "close" to any official one
SUGGEST_SPREAD = 10.0  # names suggested together score within this of the closest


_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
_NUMERAL = {str(n): r for n, r in enumerate(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"], 1)}


def key(name: str) -> str:
    """A name without what cannot change its meaning: accents, case, prefixes, punctuation, spaces, doubled
    letters. "Kec. Sanga-Sanga" and "sangasanga" share the key of "Sanga Sanga"; the numerals of "Kota Bangun II"
    are kept (and "Kota Bangun 2" reads the same)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold().strip()
    words = re.sub(r"[^a-z0-9]+", " ", _PREFIX.sub("", text)).split()
    return "".join(_NUMERAL.get(w, w) if w in _NUMERAL or w in _ROMAN else _DOUBLED.sub(r"\1", w) for w in words)


@dataclass(frozen=True)
class Desa:
    code: str
    kecamatan_code: str
    name: str


def _load() -> dict[str, Desa]:
    text = resources.files(__package__).joinpath("data/desa.csv").read_text(encoding="utf-8")
    return {r["code"]: Desa(r["code"], r["kecamatan_code"], r["name"]) for r in csv.DictReader(text.splitlines())}


DESA: dict[str, Desa] = _load()


def _index(names: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, name in names.items():
        out.setdefault(key(name), []).append(code)
    return out


_KEC_BY_KEY = _index(KECAMATAN)
_DESA_BY_KEY = {k: _index({d.code: d.name for d in DESA.values() if d.kecamatan_code == k}) for k in KECAMATAN}
_DESA_ANYWHERE = _index({d.code: d.name for d in DESA.values()})


@dataclass(frozen=True)
class Place:
    """A matched code, or why there is none: ``problem`` (Indonesian) and ``suggestions`` (official names)."""

    code: str | None
    problem: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def fix(self) -> str:
        if self.suggestions:
            return "Maksud Anda: " + " atau ".join(f"'{s}'" for s in self.suggestions) + "? Tulis nama resminya."
        return ""


def _close(value: str, names: dict[str, str], limit: int = 3) -> tuple[str, ...]:
    """Official names close to ``value`` (best first), for "did you mean"."""
    choices = {code: key(name) for code, name in names.items()}
    found = process.extract(key(value), choices, scorer=fuzz.ratio, limit=limit, score_cutoff=SUGGEST_SCORE)
    return tuple(names[code] for _, score, code in found if score >= found[0][1] - SUGGEST_SPREAD)


def kecamatan(value: str) -> Place:
    """A kecamatan of Kukar from its Kemendagri code (64.02.06, 640206) or its name ("Sangasanga")."""
    text = " ".join(value.split())
    code = _KEC_CODE.match(text)
    if code:
        full = f"64.02.{code.group(1)}"
        if full in KECAMATAN:
            return Place(full)
        return Place(None, f"Kode kecamatan {text} tidak ada di Kutai Kartanegara (64.02.01–64.02.20)")
    if _BPS_CODE.match(text.replace(".", "")):
        return Place(None, f"'{text}' tampaknya kode BPS (6403…), bukan kode Kemendagri (64.02.xx)")
    found = _KEC_BY_KEY.get(key(text), [])
    if len(found) == 1:
        return Place(found[0])
    return Place(None, f"Kecamatan '{text}' tidak dikenal di Kutai Kartanegara", _close(text, KECAMATAN))


def desa(value: str, kecamatan_code: str) -> Place:
    """A desa/kelurahan of ``kecamatan_code`` from its code (64.02.06.1001, 6402061001) or its name. A desa of
    another kecamatan is named as such (the two columns contradict each other)."""
    text = " ".join(value.split())
    code = _DESA_CODE.match(text)
    if code:
        full = f"64.02.{code.group(1)}.{code.group(2)}"
        found = DESA.get(full)
        if found is None:
            return Place(None, f"Kode desa/kelurahan {text} tidak ada dalam daftar resmi Kemendagri")
        if found.kecamatan_code != kecamatan_code:
            return Place(None, _elsewhere(found))
        return Place(full)
    here = _DESA_BY_KEY.get(kecamatan_code, {}).get(key(text), [])
    if len(here) == 1:
        return Place(here[0])
    if len(here) > 1:  # two desa of one kecamatan with the same name up to spelling: never guess between them
        return Place(None, f"Nama desa '{text}' cocok dengan lebih dari satu desa; tulis kodenya",
                     tuple(DESA[c].code for c in here))
    elsewhere = _DESA_ANYWHERE.get(key(text), [])
    if elsewhere:
        return Place(None, _elsewhere(DESA[elsewhere[0]]) if len(elsewhere) == 1 else
                     f"Desa '{text}' tidak ada di kecamatan {KECAMATAN.get(kecamatan_code, kecamatan_code)}")
    names = {d.code: d.name for d in DESA.values() if d.kecamatan_code == kecamatan_code}
    return Place(None, f"Desa/kelurahan '{text}' tidak ada di kecamatan {KECAMATAN.get(kecamatan_code, '')}"
                 .rstrip(), _close(text, names))


def _elsewhere(found: Desa) -> str:
    return (f"Desa/kelurahan {found.name} ({found.code}) berada di kecamatan {KECAMATAN[found.kecamatan_code]}, "
            "bukan di kecamatan yang ditulis")


def desa_anywhere(value: str) -> tuple[tuple[str, ...], Place]:
    """The codes of every desa/kelurahan of Kukar that ``value`` names (its code, or its name up to spelling habits:
    one name may be a desa in two kecamatan), with no kecamatan given; none -> ``()`` and the Place saying why."""
    text = " ".join(value.split())
    code = _DESA_CODE.match(text)
    if code:
        full = f"64.02.{code.group(1)}.{code.group(2)}"
        if full in DESA:
            return (full,), Place(full)
        return (), Place(None, f"Kode desa/kelurahan {text} tidak ada dalam daftar resmi Kemendagri")
    found = _DESA_ANYWHERE.get(key(text), [])
    if found:
        return tuple(found), Place(found[0])
    return (), Place(None, f"Desa/kelurahan '{text}' tidak dikenal di Kutai Kartanegara",
                     _close(text, {d.code: d.name for d in DESA.values()}))
