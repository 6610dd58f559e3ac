"""Golden tests for page titles taken from an H1: ``tests/fixtures/titles/<case>.md`` against
``<case>.title``. Confluence shows a title as plain text, so the title is what a reader sees of
the heading, never its Markdown source; a setext H1 counts as much as an ATX one."""

from __future__ import annotations

from pathlib import Path

import pytest

from confluence_sync.reverse.writeback import replace_body
from confluence_sync.source.page import read_page

FIXTURES = Path(__file__).parent / "fixtures" / "titles"
CASES = sorted(FIXTURES.glob("*.md"))


def test_there_are_title_cases() -> None:
    assert len(CASES) >= 4


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_title_is_the_h1_plain_text(case: Path) -> None:
    page = read_page(case, case.name)
    assert page.title == case.with_suffix(".title").read_text(encoding="utf-8")
    assert page.title_line is not None
    heading_lines = case.read_text(encoding="utf-8").split("\n")[page.title_line - 1]
    assert page.body.split("\n")[page.title_line - 1] == "", heading_lines


def test_setext_title_lines_are_blanked_and_kept_on_pull(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text("Setext *title*\n====\n\nOld body.\n", encoding="utf-8")
    page = read_page(path, "page.md")
    assert "====" not in page.body and "Setext" not in page.body
    assert "Old body." in page.body
    written = replace_body(path.read_text(encoding="utf-8"), "New body.\n", title_from_h1=True)
    assert written == "Setext *title*\n====\n\nNew body.\n"
    path.write_text(written, encoding="utf-8")
    assert read_page(path, "page.md").title == "Setext title"
