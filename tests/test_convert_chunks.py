"""A very large page is converted a chunk at a time; what comes out must be exactly what the
whole page converted at once gives: storage, problems and their lines, warnings, attachments
and the page's anchors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_convert_cache import guide_copy
from test_convert_pool import convert_both_ways

from confluence_sync.convert import (
    ParsedPage,
    Snippets,
    StorageDoc,
    convert_markdown,
    parse_markdown,
    render_parsed,
)
from confluence_sync.convert.chunks import chunked
from confluence_sync.convert.parser import markdown_parser
from confluence_sync.convert.renderer import page_outline
from confluence_sync.source import conversion

REPO = Path(__file__).resolve().parent.parent


class MissingPages:
    """Every page link is broken: each one becomes a problem with a line number."""

    def resolve_page(self, href: str) -> None:
        return None

    def resolve_file(self, href: str) -> str:
        return f"file not found: {href}"


def whole(text: str) -> StorageDoc:
    env: dict[str, Any] = {}
    page = ParsedPage(markdown_parser().parse(text, env), env)
    return render_parsed(page, source="content/big.md", line_offset=4, resolver=MissingPages())


def in_chunks(text: str, size: int) -> tuple[StorageDoc, int]:
    cut = chunked(text, size)
    assert cut is not None, "the text should have been cut"
    page = ParsedPage([], {}, chunked=cut)
    doc = render_parsed(page, source="content/big.md", line_offset=4, resolver=MissingPages())
    return doc, len(cut.cuts.starts)


def corpus() -> str:
    """Every golden fixture and guide page in one document, minus page-wide syntax."""
    files = sorted((REPO / "tests" / "fixtures" / "convert").rglob("*.md"))
    files += sorted((REPO / "content").rglob("*.md"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    return "\n\n".join(t for t in texts if "[^" not in t and "*[" not in t)


@pytest.mark.parametrize("size", [1, 64, 2_000, 20_000])
def test_the_fixtures_and_guide_convert_identically_in_chunks(size: int) -> None:
    text = corpus()
    expected = whole(text)
    doc, count = in_chunks(text, size)
    assert count > 1
    assert doc == expected
    assert expected.problems and expected.warnings  # line numbers are compared too


def test_a_cut_page_has_the_whole_pages_anchors() -> None:
    text = corpus()
    cut = chunked(text, 64)
    assert cut is not None
    assert cut.cuts.outline == page_outline(markdown_parser().parse(text, {}))


def test_a_large_page_is_cut_by_default_and_converts_the_same() -> None:
    section = "## Step\n\nSee [the runbook][rb] and [later](#step-499).\n\n- a\n\n- b\n\n"
    text = section * 500 + "[rb]: https://example.com/runbook\n"
    assert len(text) > 20_000
    parsed = parse_markdown(text)
    assert parsed.chunked is None  # below the default size
    big = text * 10
    parsed = parse_markdown(big)
    assert parsed.chunked is not None and not parsed.tokens
    assert convert_markdown(big) == render_parsed(
        ParsedPage(markdown_parser().parse(big, env := {}), env)
    )
    assert 'ac:anchor="step-499"' in convert_markdown(big).xhtml


def test_front_matter_closed_far_down_is_never_cut() -> None:
    """Front matter runs from the first line to the next line of dashes, wherever it is; what
    looks like a reference definition inside it is not one."""
    head = "-----\n\n[r1]: https://example.com/r1\n\n" + "".join(f"p {i}\n\n" for i in range(30))
    text = head + "-----\n\n# After\n\nSee [it][r1].\n\n" + "More\n\n" * 300
    assert in_chunks(text, 8)[0] == whole(text)
    assert "[it][r1]" in whole(text).xhtml


def test_lines_of_problems_after_inlined_snippets_are_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Snippets add lines to what is parsed; problems still name the page's own lines."""
    (tmp_path / "part.md").write_text("## Part\n\n" + "Included line.\n\n" * 40, encoding="utf-8")
    page = "".join(f'## Section {i}\n\n--8<-- "part.md"\n\n[x](gone-{i}.md)\n\n' for i in range(20))
    snippets = Snippets(tmp_path, (tmp_path,))
    expected = render_parsed(parse_markdown(page, snippets=snippets), resolver=MissingPages())
    monkeypatch.setattr("confluence_sync.convert.chunks.CHUNK_CHARS", 64)
    parsed = parse_markdown(page, snippets=snippets)
    assert parsed.chunked is not None
    doc = render_parsed(parsed, resolver=MissingPages())
    assert doc == expected
    assert [p.line for p in doc.problems] == [5 + 6 * i for i in range(20)]


def test_footnotes_keep_a_page_whole() -> None:
    text = "# Title\n\nParagraph about the API.\n\n" * 50 + "Text[^1]\n\n[^1]: note\n"
    assert chunked(text, 64) is None


def test_an_abbreviation_is_spelled_out_once_whichever_chunk_uses_it_first() -> None:
    text = "# Title\n\nNo use here.\n\n" * 20 + "The API, the C++ API.\n\n" * 20
    text += "*[API]: Application programming interface\n*[C]: A language\n*[C++]: Another\n"
    doc, count = in_chunks(text, 64)
    assert count > 5 and doc == whole(text)
    assert doc.xhtml.count("(Application programming interface)") == 1
    assert doc.xhtml.count("C++ (Another)") == 1 and "(A language)" not in doc.xhtml


def test_the_guide_site_converts_identically_with_every_page_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site path: anchors for cross-page links from the cuts, cuts kept between the passes
    (``KEEP_TOKENS_BYTES`` 0), serial and pooled."""
    root = guide_copy(tmp_path)
    plain, _ = convert_both_ways(root, cache=False)
    monkeypatch.setattr("confluence_sync.convert.chunks.CHUNK_CHARS", 1)
    kept, pooled = convert_both_ways(root, cache=False)
    monkeypatch.setattr(conversion, "KEEP_TOKENS_BYTES", 0)
    lean, lean_pooled = convert_both_ways(root, cache=False)
    assert plain == kept == pooled == lean == lean_pooled


# Blocks that make cutting dangerous: blank lines inside one block, raw HTML left open across
# blocks, definitions used before they appear, duplicate headings, lines that look like front
# matter or headings inside code.
WORDS = st.sampled_from(["Impact", "Timeline", "Owner", "Root cause", "Detection"])
BLOCKS = [
    WORDS.map(lambda w: f"## {w}"),
    WORDS.map(lambda w: f"# {w} {{ #id-{len(w)} }}"),
    WORDS.map(lambda w: f"{w}\n---"),
    st.just("-----\ntitle: x"),
    st.just("..."),
    WORDS.map(lambda w: f"{w} see [the page](missing.md) and [ref][r1]."),
    WORDS.map(lambda w: f"Back to [{w}](#{w.lower().replace(' ', '-')}-1)."),
    st.just("[r1]: https://example.com/r1"),
    st.just("*[API]: Application interface"),
    st.just("*[C]: A language\n*[C++]: Another one"),
    st.just("The API and C++ and C."),
    st.just("---"),
    st.just("```python\ncode\n\n# not a heading\n\n```"),
    st.just("```\nnever closed\n\n# still code"),
    st.just("<div>"),
    st.just("</div>"),
    st.just("<table><tr><td>"),
    st.just("</td></tr></table>"),
    st.just("<details>\n<summary>More</summary>"),
    st.just("</details>"),
    st.just('<div markdown="1">\n\n## Inside\n\n</div>'),
    st.just("<!--\n\n# hidden\n\n-->"),
    st.just("<pre>\nkept\n\n# as text\n</pre>"),
    st.just('<a name="here"></a>'),
    st.just("/// details | Title\n\n# Inside a block\n\n///"),
    st.just("!!! note\n    Body\n\n    # indented"),
    st.just('=== "Tab"\n\n    In a tab'),
    st.just("- one\n\n- two\n\n  ```\n  in item\n\n  ```"),
    st.just("> quoted\n\n> again"),
    st.just("| a | b |\n|---|---|\n| 1 | 2 |"),
    st.just("Term\n: Definition"),
    st.just("    indented code\n\n    more"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    blocks=st.lists(st.one_of(*BLOCKS), min_size=3, max_size=40),
    separators=st.lists(st.sampled_from(["\n\n", "\n", "\n\n\n"]), min_size=40, max_size=40),
    size=st.integers(min_value=1, max_value=120),
)
def test_any_document_converts_identically_in_chunks(
    blocks: list[str], separators: list[str], size: int
) -> None:
    text = "".join(b + s for b, s in zip(blocks, separators, strict=False))
    cut = chunked(text, size)
    if cut is None:
        return
    assert in_chunks(text, size)[0] == whole(text)
    assert cut.cuts.outline == page_outline(markdown_parser().parse(text, {}))
