"""Round trip is the test of the reverse renderer: Markdown → storage → Markdown → storage gives
canonically equal storage, for every converter golden fixture, every page of the guide (pulled
through the real site model, with links and images resolved) and generated documents."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from convert_helpers import assert_storage_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reverse_strategies import documents, storage_bodies

from confluence_sync.config import load_settings
from confluence_sync.convert import convert_markdown, macros, markdown_to_storage
from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.reverse import LinkTable, storage_to_markdown
from confluence_sync.reverse.writeback import replace_body
from confluence_sync.source import build_site
from confluence_sync.source.page import read_page

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "convert"
CASES = sorted(FIXTURES.glob("*/*.md"))


class StemLinks:
    """The converter without a site titles a page link by the file's stem; this inverts that."""

    def page_path(self, title: str, space: str | None) -> str | None:
        return f"{title}.md"

    def attachment_path(self, filename: str) -> str | None:
        return None


def assert_same_storage(before: str, after: str, markdown: str) -> None:
    a, b = canonical_xhtml(before), canonical_xhtml(after)
    if a != b:
        diff = "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), n=2))
        pytest.fail(f"storage changed after the round trip\n--- markdown:\n{markdown}\n{diff}")


def round_trip(markdown: str) -> None:
    storage = markdown_to_storage(markdown)
    pulled = storage_to_markdown(storage, links=StemLinks()).markdown
    assert_same_storage(storage, markdown_to_storage(pulled), pulled)


# Fixtures whose storage Markdown cannot give back exactly, and why (each is what a person would
# write; the difference is invisible or deliberate).
KNOWN_DIFFERENCES = {
    "html/31-entities-cdata": "a no-break space next to a space is layout; pull drops it",
    "html/34-headings-hr-br": "a raw-HTML heading has no anchor; ## gets the converter's one",
    "html/19-details-no-summary": "an untitled expand comes back as /// details (titled Details)",
}


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_converter_fixture_round_trips(case: Path) -> None:
    name = f"{case.parent.name}/{case.stem}"
    if name in KNOWN_DIFFERENCES:
        pytest.xfail(KNOWN_DIFFERENCES[name])
    round_trip(case.read_text(encoding="utf-8"))


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents)
def test_generated_documents_round_trip(markdown: str) -> None:
    round_trip(markdown)


@pytest.fixture(scope="module")
def guide_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's guide and configuration, copied so pulled pages can be written back."""
    root = tmp_path_factory.mktemp("guide")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def test_every_guide_page_round_trips_through_the_site(guide_copy: Path) -> None:
    """Pull every published guide page into its source file, rebuild the site: same storage."""
    settings_ = load_settings(cwd=guide_copy, env={})
    site = build_site(settings_)
    by_key = {page.key: page for page in site.pages}
    titles = {page.title: page.key for page in site.pages if not page.key.startswith("generated:")}
    guide = [page for page in site.pages if page.key.endswith(".md")]
    assert len(guide) >= 10
    lines, changed = 0, []
    for page in guide:
        source = guide_copy / page.key
        attachments = {
            a.filename: a.path.relative_to(guide_copy).as_posix() for a in page.attachments
        }
        links = LinkTable(page.key, titles, attachments, settings_.space)
        meta = read_page(source, page.key).meta
        result = storage_to_markdown(page.body, links=links, toc_in_front_matter=meta.toc)
        assert not result.new_attachments, page.key
        assert not result.warnings, page.key
        text = source.read_text(encoding="utf-8")
        pulled = replace_body(text, result.markdown)
        lines += len(text.splitlines())
        changed.extend(
            f"{page.key}: {line}"
            for line in difflib.unified_diff(text.splitlines(), pulled.splitlines(), n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")
        )
        source.write_text(pulled, encoding="utf-8")
    # An unedited page pulls back as (nearly) the file it came from: no spurious diff to review
    # or merge. Only Markdown written in another style than the reverse's comes back different
    # (`*` bullets, `__bold__`, no blank line between the items of a loose list).
    assert len(changed) <= lines // 100, "\n".join(changed)
    rebuilt = {page.key: page for page in build_site(load_settings(cwd=guide_copy, env={})).pages}
    for page in guide:
        assert_same_storage(by_key[page.key].body, rebuilt[page.key].body, page.key)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(storage_bodies, st.booleans())
def test_any_storage_pulls_to_markdown_that_publishes_cleanly(storage: str, tight: bool) -> None:
    """``pull`` must never fail on a page, whatever the wiki holds, nor write a file that
    ``check`` then refuses."""
    pulled = storage_to_markdown(storage, tight_lists=tight).markdown
    doc = convert_markdown(pulled)
    assert doc.problems == ()
    assert_storage_xml(doc.xhtml)


def _forward_supports(markdown: str, marker: str) -> bool:
    return marker in markdown_to_storage(markdown)


@pytest.mark.skipif(
    not _forward_supports("/// details | T\nx\n///\n", 'ac:name="expand"'),
    reason="needs the converter's ??? and /// details blocks as expand macros (helper i13c)",
)
def test_expand_round_trips() -> None:
    storage = (
        '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More'
        "</ac:parameter><ac:rich-text-body><p>Hidden.</p></ac:rich-text-body>"
        "</ac:structured-macro>"
    )
    pulled = storage_to_markdown(storage).markdown
    assert pulled == "/// details | More\nHidden.\n///\n"
    assert_same_storage(storage, markdown_to_storage(pulled), pulled)
    collapsible = storage.replace("<p>Hidden.</p>", macros.panel("tip", "<p>Hidden.</p>"))
    pulled = storage_to_markdown(collapsible).markdown
    assert pulled == '??? tip "More"\n    Hidden.\n'
    assert_same_storage(collapsible, markdown_to_storage(pulled), pulled)


@pytest.mark.skipif(
    not _forward_supports("| a |\n|---|\n| <ul><li>x</li></ul> |\n", "<ul><li>x</li></ul>"),
    reason="needs the converter's raw-HTML allowlist for lists in cells (helper i13c)",
)
def test_table_cell_with_a_list_round_trips() -> None:
    storage = (
        "<table><tbody><tr><th>Role</th></tr><tr><td><p>Keeps time.</p>"
        "<ul><li>states the rules</li></ul></td></tr></tbody></table>"
    )
    pulled = storage_to_markdown(storage).markdown
    assert pulled == "| Role |\n|---|\n| <p>Keeps time.</p><ul><li>states the rules</li></ul> |\n"
    assert_same_storage(storage, markdown_to_storage(pulled), pulled)
