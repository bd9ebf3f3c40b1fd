"""The third-party files the kit serves are exactly the published ones named in VENDORED.md, each with its licence."""

import hashlib
import re
from importlib.resources import files

ROOT = files("berdaya_shared")
TABLE = re.compile(r"^\| `([^`]+)` \| `([^`]+)`.*\| `([0-9a-f]{64})` \|$", re.MULTILINE)


def test_every_vendored_file_matches_its_published_checksum_and_has_its_licence() -> None:
    listed = TABLE.findall(ROOT.joinpath("VENDORED.md").read_text(encoding="utf-8"))
    assert {path for path, _, _ in listed} == {
        "ui/static/htmx.min.js", "apidocs/static/swagger-ui-bundle.js", "apidocs/static/swagger-ui.css",
        "apidocs/static/oauth2-redirect.js", "apidocs/static/redoc.standalone.js"}
    for path, package, digest in listed:
        assert hashlib.sha256(ROOT.joinpath(path).read_bytes()).hexdigest() == digest, f"{path} is not {package}"
    for licence in ("ui/static/htmx.LICENSE.txt", "apidocs/static/swagger-ui.LICENSE.txt",
                    "apidocs/static/swagger-ui.NOTICE.txt", "apidocs/static/redoc.LICENSE.txt"):
        assert len(ROOT.joinpath(licence).read_text(encoding="utf-8")) > 40, licence


def test_no_page_of_the_kit_loads_anything_from_elsewhere() -> None:
    for folder in ("ui/templates/ui", "ui/templates/ui/macros", "ui/templates/ui/pages"):
        for entry in ROOT.joinpath(folder).iterdir():
            if entry.name.endswith(".html"):
                text = entry.read_text(encoding="utf-8")
                assert not re.search(r"(src|href)=\"(https?:)?//", text), entry.name
                assert "<script>" not in text and "style=" not in text and "<style" not in text, entry.name


def test_no_vendored_asset_loads_anything_from_a_cdn() -> None:
    """Offices and field phones may not reach a CDN (and the pages' CSP would refuse it): nothing served from the
    kit's static folders names one."""
    cdn = re.compile(rb"https?://(?:cdn\.|[a-z0-9.-]*(?:jsdelivr|unpkg|cdnjs|googleapis)\.)")
    found = [str(p) for folder in ("apidocs/static", "ui/static") for p in _walk(ROOT.joinpath(folder))
             if cdn.search(p.read_bytes())]
    assert found == []


def _walk(folder):  # type: ignore[no-untyped-def]
    for item in folder.iterdir():
        yield from (_walk(item) if item.is_dir() else [item])
