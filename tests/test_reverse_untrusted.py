"""Whatever a wiki editor writes, the Markdown ``pull`` makes of it holds no link to a repository
file, no script, no raw HTML tag or attribute of the editor's choosing, and no live include
marker: a property over pages built from the pieces attacks are made of."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from confluence_sync.reverse import storage_to_markdown

TARGETS = st.sampled_from(
    [
        "../.git/config",
        ".env",
        "/.git/config",
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>x</script>",
        "vbscript:x",
        "file:///etc/passwd",
        "../../pyproject.toml",
        "https://example.com/ok",
        "#section",
    ]
)
WORDS = st.sampled_from(
    [
        "text",
        '--8<-- ".git/config"',
        "-8<- x",
        "::: confluence_sync.config",
        "{% include 'x' %}",
        "{* ../x.py *}",
        "<script>alert(1)</script>",
        "x' onmouseover='y\" z",
        "```\n<script>x</script>\n```",
        "a\nb",
    ]
)


def _link(target: str, text: str) -> str:
    return f'<p><a href="{escape(target)}">{escape(text)}</a></p>'


def _image(target: str, text: str) -> str:
    return (
        f'<p><ac:image ac:alt="{escape(text)}"><ri:url ri:value="{escape(target)}"/></ac:image></p>'
    )


def _code(language: str, body: str) -> str:
    cdata = body.replace("]]>", "]]]]><![CDATA[>")
    return (
        '<ac:structured-macro ac:name="code">'
        f'<ac:parameter ac:name="language">{escape(language)}</ac:parameter>'
        f'<ac:parameter ac:name="title">{escape(language)}</ac:parameter>'
        f"<ac:plain-text-body><![CDATA[{cdata}]]></ac:plain-text-body></ac:structured-macro>"
    )


def _anchor(name: str, text: str) -> str:
    return (
        f'<p>{escape(text)}<ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">'
        f"{escape(name)}</ac:parameter></ac:structured-macro></p>"
    )


def _html(body: str, text: str) -> str:
    return (
        '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA['
        f"{body}]]></ac:plain-text-body></ac:structured-macro>"
    )


def _panel(title: str, text: str) -> str:
    return (
        f'<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">{escape(title)}'
        f"</ac:parameter><ac:rich-text-body><p>{escape(text)}</p></ac:rich-text-body>"
        "</ac:structured-macro>"
    )


PIECES = st.one_of(
    st.builds(_link, TARGETS, WORDS),
    st.builds(_image, TARGETS, WORDS),
    st.builds(_code, WORDS, WORDS),
    st.builds(_anchor, WORDS, WORDS),
    st.builds(_html, WORDS, WORDS),
    st.builds(_panel, WORDS, WORDS),
    st.builds(lambda w: f"<p>{escape(w)}</p>", WORDS),
)
PAGES = st.lists(PIECES, min_size=1, max_size=6).map(
    lambda pieces: (
        "".join(pieces)
        + "<ac:layout><ac:layout-section><ac:layout-cell>"
        + "".join(pieces)
        + "</ac:layout-cell></ac:layout-section></ac:layout>"
    )
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


_ALLOWED_TAGS = {"p", "a", "img", "pre", "code", "blockquote", "strong", "em", "br", "hr"}
_SAFE_TARGET = re.compile(r"^(?:https?://|#)")
_LIVE_SNIPPET = re.compile(r"^[ \t]*-+8<-+", re.MULTILINE)


@settings(max_examples=150, deadline=None)
@given(PAGES)
def test_pulled_markdown_carries_nothing_an_editor_could_aim_at_the_repository(
    storage: str,
) -> None:
    result = storage_to_markdown(storage, source="page.md")
    markdown = result.markdown
    parser = _Tags()
    parser.feed(MarkdownIt("commonmark", {"html": True}).render(markdown))
    for tag, attrs in parser.tags:
        assert tag in _ALLOWED_TAGS or re.fullmatch(r"h[1-6]", tag), (tag, markdown)
        if tag == "a" and "href" in attrs:
            assert _SAFE_TARGET.match(attrs["href"] or ""), markdown
        if tag == "a":
            assert set(attrs) <= {"href", "name", "title"}, markdown
        if tag == "img":
            assert _SAFE_TARGET.match(attrs.get("src") or ""), markdown
    assert not _LIVE_SNIPPET.search(markdown), markdown
    assert "{%" not in markdown and "{*" not in markdown, markdown
    assert not re.search(r"^[ \t>]*:::", markdown, re.MULTILINE), markdown


def test_a_carriage_return_in_wiki_text_cannot_start_a_block() -> None:
    """``&#13;`` survives XML parsing as a CR, which Markdown reads as a line ending."""
    result = storage_to_markdown("<p>Text&#13;# Owned&#13;&lt;script&gt;x&lt;/script&gt;</p>")
    tokens = MarkdownIt("commonmark", {"html": True}).parse(result.markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]


def test_a_carriage_return_in_alt_text_or_code_stays_inline() -> None:
    storage = (
        '<p><ac:image ac:alt="a&#13;# Owned"><ri:url ri:value="https://example.com/x.png"/>'
        "</ac:image> and <code>b&#13;# Owned</code></p>"
    )
    tokens = MarkdownIt("commonmark").parse(storage_to_markdown(storage).markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]


def test_an_emoticon_fallback_is_written_only_when_it_is_an_emoji() -> None:
    smile = '<p><ac:emoticon ac:name="smile" ac:emoji-fallback="\U0001f642"/></p>'
    assert storage_to_markdown(smile).markdown == "\U0001f642\n"
    forged = '<p><ac:emoticon ac:name="x" ac:emoji-fallback="&lt;img src=x onerror=y&gt;"/></p>'
    markdown = storage_to_markdown(forged).markdown
    assert "<img" not in MarkdownIt("commonmark", {"html": True}).render(markdown)


def test_a_list_start_that_is_not_a_plain_number_does_not_stop_the_page() -> None:
    for start in ("²", "99999999999", "-3", "x"):
        storage = f'<ol start="{start}"><li>a</li></ol><table><tbody><tr><td><ol start="{start}">'
        storage += "<li>b</li></ol></td></tr></tbody></table>"
        markdown = storage_to_markdown(storage).markdown
        assert markdown.startswith("1. a\n"), markdown
