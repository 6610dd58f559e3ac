"""Raw HTML split into tag and text events by the standard library's HTML tokenizer.

A tokenizer, not a tree builder, on purpose: markdown-it cuts raw HTML into many tokens (a
``<td>`` in one block, the Markdown of the cell in the next, ``</td>`` in a third), so the
converter needs the tags one by one and balances them itself across those pieces with one stack
(``htmlemit``). A tree builder such as lxml's closes every element at the end of each piece.
``html.parser`` is a real HTML tokenizer: entities, quoted attributes, ``<script>`` content,
comments and declarations are handled by it, never by regular expressions here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)  # elements without content or end tag
REMOVED = frozenset(
    {"script", "style", "iframe", "object", "embed", "form", "noscript", "template", "textarea"}
)  # removed with everything inside: active content, or controls that make no sense on a page


@dataclass(frozen=True)
class HtmlEvent:
    """One tag, text run or CDATA section; ``line`` counts from 0 within the parsed text."""

    kind: str  # "start" | "end" | "text"
    name: str = ""  # lower-case tag name for "start"/"end"
    attrs: dict[str, str] = field(default_factory=dict)  # lower-case names; bare attrs are ""
    text: str = ""  # decoded text for "text"
    void: bool = False  # "<br/>"-style self-closing start tag
    line: int = 0
    start: int = 0  # offset of the event in the parsed text
    end: int = 0  # offset just after it


class _Collector(HTMLParser):
    """Records events with their offsets; comments, declarations and PIs are dropped."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[HtmlEvent] = []
        self._text = text
        self._line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self._line_starts.append(index + 1)

    def _here(self) -> tuple[int, int]:
        line, column = self.getpos()
        return line - 1, self._line_starts[line - 1] + column

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], void: bool) -> None:
        line, start = self._here()
        raw = self.get_starttag_text() or ""
        values = {name: value or "" for name, value in attrs}
        self.events.append(HtmlEvent("start", tag, values, "", void, line, start, start + len(raw)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, True)

    def handle_endtag(self, tag: str) -> None:
        line, start = self._here()
        end = self._text.find(">", start) + 1 or len(self._text)
        self.events.append(HtmlEvent("end", tag, line=line, start=start, end=end))

    def handle_data(self, data: str) -> None:
        line, start = self._here()
        self.events.append(HtmlEvent("text", text=data, line=line, start=start, end=start))

    def unknown_decl(self, data: str) -> None:
        """``<![CDATA[…]]>``: its content is text, as a browser shows it in HTML content."""
        if data.startswith("CDATA["):
            self.handle_data(data.removeprefix("CDATA["))


def html_events(text: str) -> list[HtmlEvent]:
    """The events of one piece of raw HTML; malformed markup the tokenizer gives up on
    becomes text (an unknown ``<![keyword[`` section makes ``html.parser`` raise)."""
    collector = _Collector(text)
    try:
        collector.feed(text)
        collector.close()
    except (AssertionError, ValueError):
        kept = collector.events
        resume = max((e.end for e in kept), default=0)
        return [*kept, HtmlEvent("text", text=text[resume:], start=resume, end=resume)]
    return collector.events


def html_ids(text: str) -> list[str]:
    """Anchor names in a piece of raw HTML: ``<a name>`` and every ``id`` attribute, in order.

    Elements whose content is removed (``<script>`` …) are the tokenizer's concern only for
    their own content; their ids would not be emitted, so they are skipped here as well.
    """
    names = []
    removed = 0  # depth inside elements whose content is dropped
    for event in html_events(text):
        if event.name in REMOVED and not event.void and event.name not in VOID:
            removed = max(0, removed + (1 if event.kind == "start" else -1))
        if event.kind != "start" or removed:
            continue
        for key in ("name", "id") if event.name == "a" else ("id",):
            value = event.attrs.get(key, "").strip()
            if value:
                names.append(value)
                break
    return names
