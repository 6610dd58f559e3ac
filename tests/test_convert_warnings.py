"""What a page loses on the way to Confluence is reported (warnings with file:line), and raw HTML
links, images and anchors behave like their Markdown counterparts (errors, attachments)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_convert_links import DirResolver

from confluence_sync.convert import (
    PageTarget,
    Snippets,
    convert_markdown,
    heading_anchors,
    parse_markdown,
)
from confluence_sync.errors import Problem


def _warnings(text: str, **kwargs: object) -> list[tuple[int | None, str]]:
    doc = convert_markdown(text, source="docs/page.md", **kwargs)  # type: ignore[arg-type]
    assert all(w.path == "docs/page.md" and w.level == "warning" for w in doc.warnings)
    return [(w.line, w.message) for w in doc.warnings]


def test_extra_table_cells_are_named_with_their_line() -> None:
    text = "Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 | lost | also |\n"
    assert _warnings(text, line_offset=3) == [
        (9, "table row has more cells than the header; not shown: lost | also")
    ]


def test_a_row_with_fewer_cells_is_no_loss() -> None:
    assert _warnings("| a | b |\n|---|---|\n| 1 |\n") == []


def test_unknown_and_removed_tags_warn_on_their_own_line() -> None:
    text = "<div>\n<center>kept</center>\n<script>gone()</script>\n<video src=x></video>\n</div>\n"
    assert _warnings(text, line_offset=1) == [
        (3, "<center> is not supported; its text is kept"),
        (4, "<script> removed with its content"),
        (5, "<video> is not supported; its text is kept"),
    ]


def test_inline_tags_warn_on_the_line_of_the_paragraph_they_are_in() -> None:
    text = "First line\nsecond <font color=red>red</font> <iframe src=x></iframe>\n"
    assert _warnings(text) == [
        (2, "<font> is not supported; its text is kept"),
        (2, "<iframe> removed with its content"),
    ]


def test_allowlisted_html_does_not_warn() -> None:
    text = (
        "<table><thead><tr><th>Q</th></tr></thead><tbody><tr><td><ul><li><b>x</b></li></ul>"
        "</td></tr></tbody></table>\n\n<details><summary>S</summary>\n\nBody\n\n</details>\n"
    )
    assert _warnings(text) == []


def test_icon_shortcodes_warn_and_emoji_do_not() -> None:
    assert _warnings("Done :white_check_mark:\n\nIcon :octicons-alert-16:\n") == [
        (3, "icon :octicons-alert-16: has no Confluence equivalent; kept as text")
    ]


def test_unknown_generic_blocks_keep_their_content_with_a_warning() -> None:
    text = "Intro\n\n/// settings | Options\nkept\n///\n\n/// details | D\nfine\n///\n"
    assert _warnings(text) == [
        (3, "/// settings block has no Confluence equivalent; its content is kept")
    ]


def test_text_between_table_rows_is_reported_not_silently_dropped() -> None:
    assert _warnings("<table>stray<tr><td>cell</td></tr></table>") == [
        (1, "text outside a table cell or list item is not shown: 'stray'")
    ]


@pytest.fixture()
def repo(tmp_path: Path) -> DirResolver:
    """A content dir with one image and a checklist page that has two headings."""
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "graph.png").write_bytes(b"\x89PNG graph")
    checklist = "# Checklist\n\n## Before the meeting\n"
    target = PageTarget("Postmortem checklist", heading_anchors(checklist))
    return DirResolver(tmp_path, content, {(content / "resources/checklist.md").resolve(): target})


def _convert(text: str, resolver: DirResolver) -> tuple[str, list[tuple[int | None, str]]]:
    doc = convert_markdown(text, source="content/guide.md", resolver=resolver)
    return doc.xhtml, [(p.line, p.message) for p in doc.problems]


def test_html_links_are_resolved_and_checked_like_markdown_links_on_their_own_line(
    repo: DirResolver,
) -> None:
    text = (
        '<p><a href="resources/checklist.md#before-the-meeting">ok</a></p>\n\n'
        '<p>\n<a href="gone.md">missing</a>\n<a href="resources/checklist.md#nope">bad</a></p>\n'
    )
    xhtml, problems = _convert(text, repo)
    assert '<ri:page ri:content-title="Postmortem checklist"/>' in xhtml
    assert 'ac:anchor="before-the-meeting"' in xhtml
    assert problems == [
        (4, "link to missing page gone.md"),
        (5, "no heading #nope in resources/checklist.md"),
    ]


def test_html_images_become_attachments_through_the_same_path(repo: DirResolver) -> None:
    text = (
        '<img src="images/graph.png" alt="G">\n\n![again](images/graph.png)\n\n<img src="no.png">'
    )
    doc = convert_markdown(text, source="content/guide.md", resolver=repo)
    assert [a.filename for a in doc.attachments] == ["graph.png"]
    assert doc.xhtml.count('<ri:attachment ri:filename="graph.png"/>') == 2
    assert [(p.line, p.message) for p in doc.problems] == [(5, "file not found: no.png")]


def test_html_ids_are_targets_for_links_from_other_pages(repo: DirResolver) -> None:
    other = '<table><tr><td id="owner">Owner</td></tr></table>\n\n## Steps { #steps }\n'
    target = PageTarget("Other", parse_markdown(other).anchors)
    assert heading_anchors(other) == {"owner": "owner", "steps": "steps"}
    repo.pages[(repo.page_dir / "other.md").resolve()] = target
    xhtml, problems = _convert("[a](other.md#owner) [b](other.md#steps)", repo)
    assert problems == []
    assert 'ac:anchor="owner"' in xhtml and 'ac:anchor="steps"' in xhtml


@pytest.fixture()
def snippet_repo(tmp_path: Path) -> Snippets:
    (tmp_path / "docs").mkdir()
    (tmp_path / "includes").mkdir()
    (tmp_path / "includes" / "terms.md").write_text("*[SLO]: Service Level Objective\n")
    (tmp_path / "includes" / "note.md").write_text("!!! note\n    Shared **note**.\n")
    (tmp_path.parent / "secret.md").write_text("outside")
    return Snippets(tmp_path, (tmp_path, tmp_path / "docs"))


def test_snippets_are_inlined_before_parsing(snippet_repo: Snippets) -> None:
    text = 'The SLO.\n\n--8<-- "includes/note.md"\n\n--8<-- "includes/terms.md"\n'
    doc = convert_markdown(text, snippets=snippet_repo)
    assert "SLO (Service Level Objective)" in doc.xhtml
    assert '<ac:structured-macro ac:name="info">' in doc.xhtml
    assert "<strong>note</strong>" in doc.xhtml
    assert "--8&lt;--" not in doc.xhtml and doc.problems == ()


def test_bad_snippets_are_errors_and_later_lines_keep_their_numbers(
    snippet_repo: Snippets,
    repo: DirResolver,
) -> None:
    text = (
        '--8<-- "includes/note.md"\n\n--8<-- "../secret.md"\n\n--8<-- "includes/none.md"\n\n'
        "[x](gone.md)\n"
    )
    doc = convert_markdown(
        text, source="docs/p.md", line_offset=2, snippets=snippet_repo, resolver=repo
    )
    assert sorted((p.line, p.message) for p in doc.problems) == [
        (5, "snippet path leaves the repository: ../secret.md"),
        (7, "snippet not found: includes/none.md"),
        (9, "link to missing page gone.md"),
    ]
    assert all(isinstance(p, Problem) and p.level == "error" for p in doc.problems)


def test_escaped_snippet_marker_is_shown(snippet_repo: Snippets) -> None:
    doc = convert_markdown(';--8<-- "includes/note.md"\n', snippets=snippet_repo)
    assert doc.xhtml == '<p>--8&lt;-- "includes/note.md"</p>'


def test_a_link_split_across_lines_is_shown_as_text_and_warned() -> None:
    """Markdown reads no link when the destination breaks across lines; the page would show
    the raw brackets, so check says where."""
    found = _warnings("# T\n\nSee [the pool](../x.md#keeping-\nlearning-going) now.\n")
    assert [(line, "destination split across lines" in msg) for line, msg in found] == [(3, True)]
    assert _warnings("# T\n\nSee [the pool](../x.md#keeping-learning-going) now.\n") == []


def test_span_colours_are_kept_and_other_styling_is_warned() -> None:
    text = 'Intro\n\n<span style="color: red; font-size: 40px">big</span> and <span>plain</span>\n'
    doc = convert_markdown(text, source="docs/page.md")
    assert '<span style="color: red;">big</span>' in doc.xhtml
    assert [(w.line, w.message) for w in doc.warnings] == [
        (3, "<span style> font-size is not kept (only colours are)")
    ]


def test_image_sizes_confluence_cannot_take_are_warned_on_their_line() -> None:
    text = 'Intro\n\n![chart](chart.png){ width="50%" }\n\n<img src="x.png" height="auto">\n'
    assert _warnings(text) == [
        (3, "image width '50%' is not kept (Confluence sizes images in pixels)"),
        (5, "image height 'auto' is not kept (Confluence sizes images in pixels)"),
    ]


def test_diagrams_published_as_code_and_drawio_sources_are_warned() -> None:
    text = (
        "Intro\n\n```mermaid\ngraph TD\n  A --> B\n```\n\n```python\nprint(1)\n```\n\n"
        "![arch](arch.drawio) ![ok](arch.drawio.svg)\n"
    )
    assert _warnings(text) == [
        (3, "Mermaid diagram (mermaid) is published as its source in a code block"),
        (12, "a draw.io file is not an image Confluence shows; export it to PNG or SVG"),
    ]
