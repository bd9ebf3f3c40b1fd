"""The staff guide: one file (docs/panduan-staf.md), every link to it resolves, its contents list points at its own
headings, and every screenshot it shows is one the browser tests take."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "panduan-staf.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """A Markdown heading's anchor as GitHub and most renderers make it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_there_is_one_staff_guide_and_every_link_to_a_guide_resolves() -> None:
    assert sorted(p.name for p in (REPO / "docs").glob("panduan*.md")) == ["panduan-staf.md"]
    documents = [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "services").glob("*/README.md")]
    broken = []
    for document in documents:
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if "panduan" in target and not target.startswith("http"):
                path = (document.parent / target.split("#", 1)[0]).resolve()
                if not path.is_file():
                    broken.append(f"{document.relative_to(REPO)}: {target}")
    assert broken == []
    assert "docs/panduan-staf.md" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_contents_list_points_at_the_guides_headings() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    headings = {anchor(h) for h in re.findall(r"^## (.+)$", text, flags=re.MULTILINE)}
    anchors = [t[1:] for t in LINK.findall(text) if t.startswith("#")]
    assert len(anchors) >= 13
    assert [a for a in anchors if a not in headings] == []
    for part in ("Masuk", "DP3A", "Diskop UKM", "Distransnaker", "Disperindag", "tanpa sinyal", "Belum terjangkau",
                 "impor", "kemungkinan data ganda", "Perjalanan program", "putaran evaluasi"):
        assert part.lower() in text.lower(), part


def test_every_screenshot_in_the_guide_is_taken_by_a_browser_test() -> None:
    shown = re.findall(r"\.\./test-artifacts/screens/([a-z0-9-]+)-(?:laptop|phone)\.png", GUIDE.read_text("utf-8"))
    assert len(shown) >= 15
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("*.py"))
    assert [name for name in shown if f'"{name}"' not in tests] == []
