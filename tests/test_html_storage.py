"""The HTML → storage converter of ``renderer = "mkdocs"`` on the shapes Python-Markdown,
pymdownx and Material write (no MkDocs needed: the HTML is what they emit)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from confluence_sync.convert.html_storage import LinkTarget, html_to_storage

ROOT = '<r xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource">{}</r>'


def storage(html: str) -> str:
    return html_to_storage(html, lambda href: None).xhtml


def well_formed(xhtml: str) -> None:
    etree.fromstring(ROOT.format(xhtml).encode())


@pytest.mark.parametrize(
    ("kind", "panel"),
    [
        *[("note", "info"), ("info", "info"), ("tip", "tip"), ("success", "tip")],
        *[("warning", "note"), ("danger", "warning"), ("error", "warning"), ("bug", "warning")],
    ],
)
def test_admonition_types_map_to_panel_colours(kind: str, panel: str) -> None:
    html = f'<div class="admonition {kind}"><p class="admonition-title">T</p><p>Body</p></div>'
    out = storage(html)
    assert out.startswith(f'<ac:structured-macro ac:name="{panel}">')
    assert '<ac:parameter ac:name="title">T</ac:parameter>' in out and "<p>Body</p>" in out


def test_numbered_code_keeps_language_title_and_first_line_without_the_numbers() -> None:
    html = (
        '<div class="language-python highlight"><span class="filename">app.py</span><pre>'
        '<span></span><code><span class="linenos">7</span>x = 1\n'
        '<span class="linenos">8</span><span class="hll">y = 2</span>\n</code></pre></div>'
    )
    out = storage(html)
    assert '<ac:parameter ac:name="language">python</ac:parameter>' in out
    assert '<ac:parameter ac:name="title">app.py</ac:parameter>' in out
    assert '<ac:parameter ac:name="firstline">7</ac:parameter>' in out
    assert "<![CDATA[x = 1\ny = 2]]>" in out


def test_code_in_a_line_number_table_is_the_code_column_only() -> None:
    html = (
        '<table class="highlighttable"><tr><td class="linenos"><div class="linenodiv"><pre>'
        '1\n2</pre></div></td><td class="code"><div><pre><span></span>a\nb\n</pre></div></td>'
        "</tr></table>"
    )
    assert "<![CDATA[a\nb]]>" in storage(html)


def test_legacy_tabbed_markup_shows_every_tab_under_its_label() -> None:
    html = (
        '<div class="tabbed-set" data-tabs="1:2"><input checked id="a" type="radio"/>'
        '<label for="a">One</label><div class="tabbed-content"><p>first</p></div>'
        '<input id="b" type="radio"/><label for="b">Two</label>'
        '<div class="tabbed-content"><p>second</p></div></div>'
    )
    assert storage(html) == (
        "<p><strong>One</strong></p><p>first</p><p><strong>Two</strong></p><p>second</p>"
    )


def test_html_with_no_mapping_is_reported_by_name_and_never_shown_as_text() -> None:
    result = html_to_storage('<p>a<video src="v.mp4">x</video>b</p>', lambda href: None)
    assert result.xhtml == "<p>ab</p>"
    assert result.unmapped == (("<video> has no Confluence form and is not shown", 1),)


def test_links_resolve_to_pages_anchors_and_attachments() -> None:
    targets = {"../b/#x": LinkTarget("Page B", "x"), "#y": LinkTarget(None, "y"), "f.pdf": "f.pdf"}
    html = '<p><a href="../b/#x">B</a> <a href="#y">Y</a> <a href="f.pdf">F</a></p>'
    out = html_to_storage(html, targets.get).xhtml
    assert '<ac:link ac:anchor="x"><ri:page ri:content-title="Page B"/>' in out
    assert '<ac:link ac:anchor="y"><ac:link-body>Y</ac:link-body></ac:link>' in out
    assert '<ri:attachment ri:filename="f.pdf"/>' in out


@given(st.text(max_size=200))
def test_any_text_or_markup_converts_to_well_formed_storage(text: str) -> None:
    well_formed(storage(f"<p>{text}</p>"))
    well_formed(storage(text))
