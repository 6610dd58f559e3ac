"""How the local wiki's browser view shows macros: each one readable without JavaScript.

Rules: a collapsible ``expand`` is a ``<details>`` with its title as the summary; an ``excerpt``
is shown as the page's lead (marked when Confluence would hide it); a macro the view does not
know shows its body, or a visible placeholder when it has none; and every macro the converter
can emit has a handler.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
import requests
from atlassian import Confluence

import confluence_sync.convert.macros as convert_macros
from confluence_sync.localwiki import LocalWiki
from confluence_sync.localwiki.html.macro_html import MACROS

_pages = count(1)


def macro(name: str, body: str | None, **params: str) -> str:
    parts = [f'<ac:structured-macro ac:name="{name}">']
    parts += [f'<ac:parameter ac:name="{k}">{v}</ac:parameter>' for k, v in params.items()]
    if body is not None:
        parts.append(f"<ac:rich-text-body>{body}</ac:rich-text-body>")
    return "".join([*parts, "</ac:structured-macro>"])


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWiki]:
    with LocalWiki(tmp_path_factory.mktemp("macros")) as running:
        yield running


def view_of(wiki: LocalWiki, storage: str) -> str:
    """Publish ``storage`` through the client library and return the page body's HTML."""
    client = Confluence(url=wiki.base_url, username="admin", password="admin", cloud=False)
    page = client.create_page("DEV", f"Macro page {next(_pages)}", storage)
    html = requests.get(wiki.base_url + page["_links"]["webui"], timeout=5).text
    return html[html.index('<div class="page-body">') :]


@pytest.mark.parametrize(
    ("storage", "shown"),
    [
        (
            macro("expand", "<p>Hidden steps</p>", title="Show the steps"),
            '<details class="expand"><summary>Show the steps</summary><p>Hidden steps</p></details>',
        ),
        (
            macro("expand", "<p>x</p>"),
            "<summary>Click here to expand...</summary>",
        ),
        (
            macro("expand", macro("expand", "<p>inner</p>", title="B"), title="A"),
            '<summary>A</summary><details class="expand"><summary>B</summary><p>inner</p>',
        ),
        (
            macro("excerpt", "<p>What this page is for.</p>"),
            '<div class="excerpt"><p>What this page is for.</p></div>',
        ),
        (
            macro("excerpt", "<p>Summary for lists.</p>", hidden="true"),
            '<div class="excerpt excerpt-hidden" title="Excerpt: hidden on the page in '
            'Confluence, shown in search and lists"><p>Summary for lists.</p></div>',
        ),
        (
            macro("made-up", "<p>kept body</p>"),
            '<div class="macro macro-made-up"><p>kept body</p></div>',
        ),
        (macro("made-up", None), '<span class="macro-unknown">[made-up macro]</span>'),
        (
            '<ac:structured-macro ac:name="mathinline"><ac:parameter ac:name="body">e^{i\\pi}'
            "</ac:parameter></ac:structured-macro>",
            '<code class="math math-inline">e^{i\\pi}</code>',
        ),
        (
            '<ac:structured-macro ac:name="mathblock"><ac:plain-text-body><![CDATA[x_1^2]]>'
            "</ac:plain-text-body></ac:structured-macro>",
            '<pre class="math math-block">x_1^2</pre>',
        ),
        (
            '<p><ac:image ac:width="24" ac:height="20" ac:align="center">'
            '<ri:url ri:value="https://example.com/i.png"/></ac:image></p>',
            '<img src="https://example.com/i.png" alt="" width="24" height="20" class="image-center"',
        ),
    ],
    ids=[
        "expand",
        "expand-untitled",
        "expand-nested",
        "excerpt",
        "excerpt-hidden",
        "unknown-with-body",
        "unknown-without-body",
        "math-inline",
        "math-block",
        "image-size",
    ],
)
def test_macros_are_shown_readably(wiki: LocalWiki, storage: str, shown: str) -> None:
    assert shown in view_of(wiki, storage)


def test_an_excerpt_keeps_its_formatting_and_links(wiki: LocalWiki) -> None:
    body = '<p>Read <strong>this</strong> <a href="https://example.com/x">first</a>.</p>'
    html = view_of(wiki, macro("excerpt", body, hidden="true") + "<p>Rest of page</p>")
    assert '<strong>this</strong> <a href="https://example.com/x">first</a>' in html
    assert html.index("excerpt-hidden") < html.index("Rest of page")


def _converter_macro_names() -> set[str]:
    """Macro names written in ``macros.py`` and in every converter extension."""
    convert_dir = Path(convert_macros.__file__).parent
    files = [convert_dir / "macros.py", *sorted((convert_dir / "extensions").glob("*.py"))]
    source = "".join(path.read_text(encoding="utf-8") for path in files)
    return set(re.findall(r'\bmacro\(\s*"([a-z-]+)"', source)) | set(convert_macros.PANEL_KINDS)


@pytest.mark.parametrize("name", sorted(_converter_macro_names() | {"expand", "excerpt"}))
def test_every_macro_the_converter_emits_has_a_view_handler(name: str) -> None:
    assert name in MACROS
