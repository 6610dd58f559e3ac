"""Pages as the Confluence editor saves them come back as the Markdown a person would write.

Each ``tests/fixtures/reverse/<case>.xml`` is a storage body in the shapes the editor produces
(ids on everything, ``<p>`` in cells, spans, ``&nbsp;``, macro ids, ticked tasks, an unknown
macro); ``<case>.md`` is the Markdown ``pull`` must write for it. The pulled Markdown must also
publish cleanly, and where nothing was lost it must publish to the same content.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from convert_helpers import assert_storage_xml

from confluence_sync.convert import convert_markdown
from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.reverse import LinkTable, NewAttachment, storage_to_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "reverse"
CASES = sorted(FIXTURES.glob("*.xml"))
LINKS = LinkTable(
    page="content/resources/page.md",
    pages={
        "Checklist": "content/resources/checklist.md",
        "How to Write a Postmortem": "content/how-to-write-a-postmortem.md",
    },
    attachments={"header.svg": "content/images/header.svg"},
    space="DEV",
)
# Cases whose pulled Markdown republishes to the same content as the wiki page (others drop
# layout the Markdown cannot hold, or link by title to pages a standalone conversion cannot name).
LOSSLESS = {
    "02-tasks-ticked",
    "03-table-row-added",
    "04-unknown-macro",
    "09-lists",
    "11-status-and-mention",
    "13-footnotes-and-quote",
}


def pull(case: Path) -> str:
    return storage_to_markdown(case.read_text(encoding="utf-8"), links=LINKS).markdown


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_editor_page_pulls_to_expected_markdown(case: Path) -> None:
    expected = case.with_suffix(".md").read_text(encoding="utf-8")
    assert pull(case) == expected


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_pulled_markdown_publishes_cleanly(case: Path) -> None:
    doc = convert_markdown(pull(case))
    assert doc.problems == ()
    assert_storage_xml(doc.xhtml)
    if case.stem in LOSSLESS:
        wiki = case.read_text(encoding="utf-8")
        assert canonical_xhtml(doc.xhtml) == canonical_xhtml(wiki)


def test_there_are_enough_editor_cases() -> None:
    assert len(CASES) >= 12
    assert all(case.with_suffix(".md").is_file() for case in CASES)


def test_unknown_macro_is_kept_and_reported() -> None:
    result = storage_to_markdown((FIXTURES / "04-unknown-macro.xml").read_text(), source="p.md")
    assert "```confluence\n" in result.markdown
    assert [str(w) for w in result.warnings] == ["p.md: kept as a confluence block: the jira macro"]
    assert all(w.level == "warning" for w in result.warnings)


def test_new_attachment_is_reported_and_known_one_resolved() -> None:
    result = storage_to_markdown((FIXTURES / "05-links-and-images.xml").read_text(), links=LINKS)
    assert result.new_attachments == (NewAttachment("error-rate.png", "error-rate.png"),)
    assert "](../images/header.svg)" in result.markdown
    assert any("ac:layout" in w.message for w in result.warnings)
    assert "](../images/header.svg){ width=600 align=center }" in result.markdown


def test_footnotes_published_with_the_older_ids_still_pull_as_footnotes() -> None:
    """Pages published before footnote anchors became Python-Markdown's (``fn-1``/``fnref-1``
    rather than ``fn:1``/``fnref:1``) still come back as ``[^1]`` notes."""
    new = (FIXTURES / "13-footnotes-and-quote.xml").read_text(encoding="utf-8")
    old = new.replace("fnref:1", "fnref-1").replace('"fn:1"', '"fn-1"').replace(">fn:1<", ">fn-1<")
    assert "fn-1" in old and "fn:1" not in old
    pulled = storage_to_markdown(old).markdown
    assert pulled == storage_to_markdown(new).markdown
    assert "aviation[^1]" in pulled and "[^1]: Accident investigation boards." in pulled
