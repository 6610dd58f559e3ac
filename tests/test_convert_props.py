"""Property: whatever Markdown-like text comes in, the output is well-formed storage XML."""

from __future__ import annotations

from pathlib import Path

from convert_helpers import WRAP, assert_storage_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from confluence_sync.convert import (
    PageTarget,
    convert_markdown,
    heading_anchors,
    markdown_to_storage,
)
from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.convert.parser import markdown_parser
from confluence_sync.convert.renderer import balanced, page_anchors

FRAGMENTS = [
    "#",
    "## ",
    "*",
    "**",
    "_",
    "`",
    "```",
    '```python title="x]]>"\n',
    "~~",
    "~~~",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "<",
    ">",
    "&",
    "&amp;",
    "&nbsp;",
    "&#0;",
    "&#x110000;",
    "&bogus;",
    "|",
    "|---|",
    "- ",
    "1. ",
    "3) ",
    "- [ ] ",
    "- [x] ",
    "> ",
    "> [!NOTE]\n",
    "> [!WARNING] T\n",
    '!!! note "T"\n    ',
    "??? tip\n",
    "    ",
    "\n",
    "\n\n",
    "\t",
    "<sub>",
    "</sub>",
    "<br>",
    "<kbd>",
    "</kbd>",
    '<a name="x">',
    "<a name='y'/>",
    "</a>",
    "<div>",
    "</div>",
    "<!--",
    "-->",
    "]]>",
    "<![CDATA[",
    "[^1]",
    "[^1]: ",
    "[TOC]",
    "---\n",
    "toc: true\n",
    "http://x.y/?a=1&b",
    "www.example.com",
    "x.md#a",
    "other.md",
    "a.png",
    "javascript:alert(1)",
    "data:x",
    "\x00",
    "\x0b",
    "\ufffe",
    "\u00a0",
    "é",
    "\\",
    "<script>",
    '"',
    "'",
    "=",
    'title="',
    "{",
    "}",
    "==",
    "^^",
    "^",
    "~",
    "++",
    "ctrl+alt",
    ":smile:",
    ":material-check:",
    ":",
    '=== "T"\n    ',
    "*[A]: an A\n",
    "A",
    "{ #id .c }",
    "{: #p }",
    "\n:   ",
    ";--8<--",
    "/// note | T\n",
    "///\n",
    "//// details\n    type: tip\n",
    "--8<-- ",
]

HTML_FRAGMENTS = [
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    '<td colspan="2" rowspan="x">',
    "<th>",
    "<thead>",
    "</tbody>",
    "<ul>",
    "<ol start='3'>",
    "<li>",
    "</li>",
    "</ul>",
    "<p>",
    "</p>",
    "<h2 id='h'>",
    "</h2>",
    "<details>",
    "<summary>",
    "</summary>",
    "</details>",
    '<div markdown="1">',
    "<div markdown>\n**b**\n",
    '<span id="s">',
    "</span>",
    "<pre>",
    "</pre>",
    "<em>",
    "</strong>",
    "<mark>",
    "<del>",
    "<center>",
    "</center>",
    '<a href="other.md#a">',
    '<a href="javascript:alert(1)" onclick="x()">',
    "<a href='http://x.y/?a=1&b=2'>",
    "<a name=x>",
    '<img src="a.png" alt="\'q\'">',
    '<img src="data:image/png;base64,AAA" onerror="x">',
    "<img>",
    "<br>",
    "<hr/>",
    "<script>",
    "</script>",
    "<style>p{}</style>",
    "<iframe src=x>",
    "<embed src=x>",
    "<form>",
    "<![CDATA[x]]>",
    "<![if x]>",
    "<!DOCTYPE html>",
    "<?xml ?>",
    "<!-- c -->",
    "&nbsp;&lt;&#x41;&bogus;&",
    "<x y='\">'>",
    "</>",
    "<",
    "\n\n",
    "\n",
    "| a |\n|---|\n",
]

markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40).map(
    "".join
)


class AnyPage:
    """Says every .md link is a page (with one anchor) and every file is missing."""

    def resolve_page(self, href: str) -> PageTarget | None:
        return PageTarget(f"T {href}]]>&", {"a": "a"}) if href.endswith(".md") else None

    def resolve_file(self, href: str) -> Path | str:
        return f"file not found: {href}"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_any_text_converts_to_well_formed_storage(text: str) -> None:
    assert_storage_xml(markdown_to_storage(text))
    doc = convert_markdown(text, source="p.md", resolver=AnyPage(), toc=True)
    assert_storage_xml(doc.xhtml)
    assert all(p.path == "p.md" for p in doc.problems)
    canonical = canonical_xhtml(doc.xhtml)
    assert canonical_xhtml(canonical) == canonical  # a diff of canonical forms is stable


htmlish = st.lists(
    st.one_of(st.sampled_from(HTML_FRAGMENTS), st.sampled_from(FRAGMENTS), st.text(max_size=4)),
    max_size=40,
).map("".join)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(htmlish)
def test_any_html_converts_to_well_formed_storage(text: str) -> None:
    """Hostile raw HTML (unclosed, stray closers, scripts in cells, CDATA) stays well-formed,
    and nothing active gets through."""
    doc = convert_markdown(text, source="p.md", resolver=AnyPage())
    assert_storage_xml(doc.xhtml)
    root = etree.fromstring(WRAP.format(doc.xhtml).encode("utf-8"))
    for element in root.iter(etree.Element):
        assert etree.QName(element).localname not in {"script", "style", "iframe", "embed", "form"}
        for name, value in element.attrib.items():
            assert not etree.QName(name).localname.startswith("on"), name
            assert not value.strip().lower().startswith(("javascript:", "data:")), value
    assert all(w.path == "p.md" and w.level == "warning" for w in doc.warnings)


@settings(max_examples=300, deadline=None)
@given(htmlish)
def test_fast_anchor_pass_agrees_with_full_parse_on_html(text: str) -> None:
    full = page_anchors(balanced(markdown_parser().parse(text, {})))
    assert heading_anchors(text) == full


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_fast_anchor_pass_agrees_with_full_parse(text: str) -> None:
    """heading_anchors skips most inline parsing; it must still find exactly the same anchors."""
    full = page_anchors(balanced(markdown_parser().parse(text, {})))
    assert heading_anchors(text) == full


def test_headings_inside_footnotes_count_in_the_fast_pass() -> None:
    text = "[^1]: # H\n\ntext[^1]\n\n# H\n"
    assert heading_anchors(text) == {"h": "h", "h-1": "h-1"}
