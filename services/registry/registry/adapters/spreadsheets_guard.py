"""An .xlsx checked before it is parsed: what its parts expand to, how long a cell is, how many rows it holds.

An .xlsx is a zip archive of XML parts. A small file can expand to gigabytes (a "zip bomb": one 200 MiB cell in a
203 KiB file), and the XML reader would hold what it expands. ``check_xlsx`` reads only the archive's directory and
then streams the sheet and shared-string parts through the decompressor in 1 MiB pieces (memory stays at a few MiB
whatever the file), and raises ``errors.TooLarge`` (413, naming the limit) when:

- the archive has more than ``MAX_PARTS`` parts, or its parts declare more than ``MAX_EXPANDED_BYTES`` in all
  (Python's zipfile never yields more than a part declares, so the declared sizes bound the parser too);
- a part over 1 MiB expands more than ``MAX_RATIO`` times (office XML compresses 5-20 times, rarely over 50);
- a cell's text is longer than ``MAX_CELL_BYTES``: Excel's own limit is 32,767 characters per cell (Microsoft,
  "Excel specifications and limits"), at most 6 bytes each as XML (an entity such as ``&quot;``);
- a sheet declares (``<dimension>``) or holds more rows than ``max_rows`` data rows plus ``header_rows``.

A file that is not a readable zip is left to the XLSX reader, which says so in its own words.
"""

import re
import zipfile
from io import BytesIO

from berdaya_shared import errors

MIB = 2**20
MAX_PARTS = 1_000
MAX_EXPANDED_BYTES = 256 * MIB
MAX_RATIO = 100
MAX_CELL_BYTES = 6 * 32_767
_CHUNK = MIB
_SCANNED = re.compile(r"^xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)$")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def _mb(n: int) -> str:
    return f"{n / MIB:.0f} MB"


def _refuse(pesan: str, detail: str, **limit: int) -> errors.TooLarge:
    return errors.TooLarge(f"Berkas XLSX ditolak: {pesan}", detail, field="file", **limit)


def check_xlsx(data: bytes, *, max_rows: int, header_rows: int) -> None:
    """Raises errors.TooLarge when the .xlsx in ``data`` would expand past the limits above; returns otherwise."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _refuse(f"terlalu banyak bagian ({len(parts)}, maksimal {MAX_PARTS})",
                          f"{len(parts)} zip members exceed {MAX_PARTS}", max_parts=MAX_PARTS)
        expanded = sum(p.file_size for p in parts)
        if expanded > MAX_EXPANDED_BYTES:
            raise _refuse(f"isinya mengembang menjadi {_mb(expanded)} (maksimal {_mb(MAX_EXPANDED_BYTES)})",
                          f"parts expand to {expanded} bytes, over {MAX_EXPANDED_BYTES}",
                          max_expanded_bytes=MAX_EXPANDED_BYTES)
        for part in parts:
            if part.file_size > MIB and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                raise _refuse(f"bagian {part.filename} mengembang {part.file_size // max(part.compress_size, 1)} kali "
                              f"(maksimal {MAX_RATIO} kali)", f"{part.filename} compression ratio over {MAX_RATIO}",
                              max_ratio=MAX_RATIO)
        most_rows = max_rows + header_rows
        for part in parts:
            if _SCANNED.match(part.filename):
                _scan(archive, part, most_rows)


def _scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo, most_rows: int) -> None:
    """Streams one part: the longest text between two tags, the rows of a worksheet (declared and counted)."""
    sheet = part.filename.startswith("xl/worksheets/")
    run, rows, first = 0, 0, True
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                if sheet and first and (m := _DIMENSION.search(chunk[:4096])) and m.group(1):
                    if int(m.group(1)) > most_rows:
                        raise _too_many_rows(int(m.group(1)), most_rows)
                first = False
                run = _longest_text(chunk, run)
                if sheet:  # a row tag cut in two by the chunk's edge is missed: one row in a million
                    rows += chunk.count(b"<row ") + chunk.count(b"<row>") + chunk.count(b":row ")
                    if rows > most_rows:
                        raise _too_many_rows(rows, most_rows)
    except (zipfile.BadZipFile, EOFError, OSError):
        return  # a damaged part: the XLSX reader refuses the file in its own words


def _longest_text(chunk: bytes, run: int) -> int:
    """The length of the text still open at the end of ``chunk`` (``run`` carried in from before it: the bytes
    since the last ``<``); raises TooLarge when any text between two tags is longer than MAX_CELL_BYTES."""
    pieces = chunk.split(b"<")
    if len(pieces) == 1:
        longest, run = run + len(chunk), run + len(chunk)
    else:
        longest = max(run + len(pieces[0]), max(map(len, pieces[1:]), default=0))
        run = len(pieces[-1])
    if longest > MAX_CELL_BYTES:
        raise _refuse(f"ada sel yang isinya lebih dari {MAX_CELL_BYTES // 6:,} karakter (batas Excel)".replace(",", "."),
                      f"a cell's text exceeds {MAX_CELL_BYTES} bytes", max_cell_bytes=MAX_CELL_BYTES)
    return run


def _too_many_rows(rows: int, most: int) -> errors.TooLarge:
    return _refuse(f"lembar kerjanya memuat {rows:,} baris (maksimal {most:,})".replace(",", "."),
                   f"worksheet holds {rows} rows, over {most}", max_rows=most)
