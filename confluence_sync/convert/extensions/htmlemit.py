"""Raw HTML → storage: one stack of open elements, fed tag by tag, with Markdown in between.

``HtmlEmitter`` receives the pieces of one HTML run in order: raw HTML text (``feed``) and
storage already rendered from the Markdown between the tags (``insert``). It opens storage
markup for allowlisted tags, drops what is not allowed (reporting lost content as warnings),
closes what an author left open and ignores closers that close nothing, so its output is
well-formed whatever comes in. HTML's implied ends are honoured where pages rely on them (a new
``<td>`` ends the previous cell, a new ``<li>`` the previous item, a block ends a paragraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import htmltags, macros, targets
from confluence_sync.convert.htmltags import (
    BLOCK,
    CELLS,
    INLINE,
    LISTS,
    MIXED,
    SECTIONS,
    STRUCTURE,
    TAGS,
    TRANSPARENT,
)
from confluence_sync.convert.htmltokens import REMOVED, VOID, HtmlEvent, html_events
from confluence_sync.convert.nested import render_nested

if TYPE_CHECKING:
    from confluence_sync.convert.render_context import RenderContext

_REMOVED = "removed"
_DETAILS = "details"
_LEADING_SUMMARY = re.compile(
    r"\s*<summary(?:\s[^>]*)?>(.*?)</summary\s*>", re.DOTALL | re.IGNORECASE
)
_SUMMARY = "summary"
_IMPLICIT_P = "#p"
_TABLE_PARTS = frozenset({"table", "tr", *SECTIONS})


@dataclass
class _Open:
    """An open element: its HTML name, the storage that closes it and what it accepts."""

    name: str
    close: str
    content: str
    title: str | None = None  # <details>: the summary text; None until a summary is seen
    body: bool = False  # <details>: the expand macro's body has been opened


class HtmlEmitter:
    """Converts one run of raw HTML (one block with what it encloses, or one inline run)."""

    def __init__(self, ctx: RenderContext, *, block: bool) -> None:
        self.ctx = ctx
        self.base = BLOCK if block else INLINE
        self.out: list[str] = []
        self.stack: list[_Open] = []
        self.anchors: list[str] = []  # ids waiting for a place that may hold an anchor macro
        self._node: SyntaxTreeNode | None = None
        self._line = 0
        self._markdown: tuple[str, int, int] | None = None  # (tag, depth, source offset)
        self._space = False  # whitespace seen between tags, kept if inline content follows

    @property
    def is_open(self) -> bool:
        """Whether an element is still open (the run continues into the next sibling)."""
        return any(entry.name != _IMPLICIT_P for entry in self.stack)

    @property
    def dropping(self) -> bool:
        """Inside a removed element (``<script>`` …): whatever comes is discarded unrendered."""
        return self._content() == _REMOVED

    # -- input ---------------------------------------------------------------------------------

    def feed(self, text: str, node: SyntaxTreeNode) -> None:
        """Raw HTML from ``node`` (an ``html_block`` or ``html_inline``)."""
        self._node = node
        first = self.ctx.line_of(node) or 0
        for event in html_events(macros.strip_illegal(text)):
            self._line = first + event.line
            if self._markdown is not None:
                self._in_markdown(event, text)
            elif event.kind == "start":
                self._start(event)
            elif event.kind == "end":
                self._end(event.name)
            else:
                self._text(event.text)
        if self._markdown is not None:  # the element's Markdown runs to the end of this piece
            self._render_markdown(text[self._markdown[2] :])
            self._markdown = None

    def insert(self, storage: str, block: bool) -> None:
        """Storage rendered from Markdown between tags; ``block`` when it holds blocks."""
        top = self._content()
        if top == _REMOVED or not storage:
            return
        if top == STRUCTURE:
            self._warn("Markdown between table rows or list items is not shown")
            return
        if self.stack and self.stack[-1].content == _SUMMARY:
            self._end(_SUMMARY)
        self._details_body()
        if block:
            self._block_start()
        self._flush_anchors()
        self._inline_follows()
        self.out.append(storage)

    def close(self) -> str:
        """Close everything left open and return the storage of the whole run."""
        while self.stack:
            self._pop()
        self._flush_anchors()
        return "".join(self.out)

    # -- events --------------------------------------------------------------------------------

    def _start(self, event: HtmlEvent) -> None:
        name = event.name
        if self._content() == _REMOVED:
            if name == self.stack[-1].name and not event.void:
                self.stack.append(_Open(name, "", _REMOVED))
            return
        if self._content() == _SUMMARY:
            return  # markup inside <summary>: the title is plain text
        if name in REMOVED:
            self._warn(f"<{name}> removed with its content")
            if not event.void and name not in VOID:
                self.stack.append(_Open(name, "", _REMOVED))
            return
        self._queue_anchor(event)
        if name in VOID:
            self._void(event)
        elif name == "details":
            self._block_start()
            self.stack.append(_Open(name, macros.RICH_MACRO_CLOSE, _DETAILS))
        elif name == "summary" and self.stack and self.stack[-1].content == _DETAILS:
            if not self.stack[-1].body:
                self.stack.append(_Open(name, "", _SUMMARY))
                self.stack[-2].title = ""
        elif name == "a":
            self._anchor_start(event)
        elif name in TAGS:
            self._tag_start(event)
        else:
            self._warn(f"<{name}> is not supported; its text is kept")
            self.stack.append(_Open(name, "", TRANSPARENT))
        marked = "markdown" in event.attrs and self.base == BLOCK
        if marked and self.stack and self.stack[-1].name == name:
            self._markdown = (name, 0, event.end)

    def _end(self, name: str) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.content in (_REMOVED, _SUMMARY) and top.name != name:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            entry = self.stack[index]
            if entry.name == name:
                while len(self.stack) > index:
                    self._pop()
                return
            if (entry.name in CELLS and name not in _TABLE_PARTS) or entry.content == _DETAILS:
                return  # only a table's own closers reach out of a cell; none out of an expand

    def _text(self, text: str) -> None:
        content = self._content()
        if content == _REMOVED:
            return
        if content == _SUMMARY:
            self.stack[-2].title = (self.stack[-2].title or "") + text
            return
        if not text.strip():
            if "pre" in self._names():
                self.out.append(macros.esc(text))
            elif content in (INLINE, MIXED):
                self._space = True  # written only if inline content follows
            return
        if content == STRUCTURE:
            self._warn(f"text outside a table cell or list item is not shown: {text.strip()!r}")
            return
        opens_paragraph = self._content() == BLOCK
        self._inline_start()
        self.out.append(macros.esc(text.lstrip() if opens_paragraph else text))

    # -- tags ----------------------------------------------------------------------------------

    def _tag_start(self, event: HtmlEvent) -> None:
        name = event.name
        rule = self._span_rule(event) if name == "span" else TAGS[name]
        if rule.block:
            self._block_start()
        if not self._implied_parent(name):
            return
        if not rule.block and rule.content != TRANSPARENT:
            self._inline_start()
        elif rule.content != TRANSPARENT:
            self._details_body()
        self.out.append(rule.open if name == "span" else htmltags.open_markup(name, event.attrs))
        self.stack.append(_Open(name, rule.close, rule.content))
        if rule.content in (INLINE, MIXED):
            self._flush_anchors()

    def _span_rule(self, event: HtmlEvent) -> htmltags.TagRule:
        """A span with colours becomes Confluence's coloured text; other styling is dropped with
        a warning (a reader would notice it missing)."""
        style, dropped = htmltags.span_colours(event.attrs.get("style") or "")
        if dropped:
            self._warn(f"<span style> {', '.join(dropped)} is not kept (only colours are)")
        return htmltags.coloured_span(style) if style else TAGS["span"]

    def _implied_parent(self, name: str) -> bool:
        """End what ``name`` implicitly ends, open what it needs; False: drop the tag."""
        names = self._names()
        if name in CELLS | {"tr"} | SECTIONS:
            if "table" not in names:
                self._warn(f"<{name}> outside a table: its text is kept")
                return False
            self._close_to(("table", *SECTIONS) if name in SECTIONS else ("table", *SECTIONS, "tr"))
            if name in CELLS and self.stack[-1].name != "tr":
                self.out.append("<tr>")
                self.stack.append(_Open("tr", "</tr>", STRUCTURE))
            elif name == "tr" and self.stack[-1].name == "tr":
                self._pop()
        elif name == "li":
            if not LISTS & set(names[self._cell_depth() :]):
                self._warn("<li> outside a list: its text is kept")
                return False
            self._close_to(tuple(LISTS))
        elif name == "p" and self.stack and self.stack[-1].name == "p":
            self._pop()
        return True

    def _void(self, event: HtmlEvent) -> None:
        name = event.name
        if name == "br":
            self._inline_start()
            self.out.append("<br/>")
        elif name == "hr":
            self._block_start()
            self.out.append("<hr/>")
        elif name == "img":
            self._image(event)
        elif name not in htmltags.SILENT_VOID:
            self._warn(f"<{name}> is not supported and was left out")

    def _image(self, event: HtmlEvent) -> None:
        if self._content() == STRUCTURE:
            self._warn("an image outside a table cell or list item is not shown")
            return
        self._inline_start()
        attrs = event.attrs
        src, alt, title = attrs.get("src", "").strip(), attrs.get("alt"), attrs.get("title")
        reported = len(self.ctx.state.problems)
        layout = targets.image_layout(attrs, self._warn)
        self.out.append(
            targets.image_markup(self._here(), self.ctx, src, alt or None, title or None, layout)
        )
        self._relocate(reported)

    def _anchor_start(self, event: HtmlEvent) -> None:
        """``<a href>`` is a link (resolved like Markdown's); without ``href`` it only names."""
        href = event.attrs.get("href", "").strip()
        if not href or self._content() == STRUCTURE:
            self.stack.append(_Open("a", "", TRANSPARENT))
            return
        if "a" in self._names()[self._cell_depth() :]:
            self._end("a")  # a link does not nest in a link: the new one ends the old
        self._inline_start()
        reported = len(self.ctx.state.problems)
        before, after = targets.link_parts(self._here(), self.ctx, href, event.attrs.get("title"))
        self._relocate(reported)
        self.out.append(before)
        self.stack.append(_Open("a", after, INLINE))

    def _queue_anchor(self, event: HtmlEvent) -> None:
        keys = ("name", "id") if event.name == "a" else ("id",)
        for key in keys:
            value = event.attrs.get(key, "").strip()
            if value:
                self.anchors.append(value)
                return

    # -- helpers -------------------------------------------------------------------------------

    def _names(self) -> list[str]:
        return [entry.name for entry in self.stack]

    def _cell_depth(self) -> int:
        """Index just above the innermost table cell (lists in outer cells do not count)."""
        names = self._names()
        return max((i + 1 for i, n in enumerate(names) if n in CELLS), default=0)

    def _content(self) -> str:
        """What the innermost element that has markup of its own accepts."""
        for entry in reversed(self.stack):
            if entry.content == _DETAILS:
                return BLOCK
            if entry.content != TRANSPARENT:
                return entry.content
        return self.base

    def _close_to(self, names: tuple[str, ...]) -> None:
        """Pop elements until one of ``names`` is on top (the caller checked one is open)."""
        while self.stack and self.stack[-1].name not in names:
            self._pop()

    def _inline_start(self) -> None:
        """Inline content follows: give it a paragraph where only blocks belong, then place
        waiting anchors and the whitespace seen before it."""
        self._details_body()
        if self._content() == BLOCK:
            self._open_paragraph()
        self._flush_anchors()
        self._inline_follows()

    def _relocate(self, reported: int) -> None:
        """Problems just reported for a tag point at the tag's line, not its block's first."""
        problems = self.ctx.state.problems
        problems[reported:] = [replace(p, line=self._line or p.line) for p in problems[reported:]]

    def _open_paragraph(self) -> None:
        """Loose text or inline markup where only blocks belong gets a paragraph of its own."""
        self.out.append("<p>")
        self.stack.append(_Open(_IMPLICIT_P, "</p>", INLINE))

    def _inline_follows(self) -> None:
        if self._space:
            self.out.append(" ")
            self._space = False

    def _block_start(self) -> None:
        """A block starts: a paragraph (implicit, or a ``<p>`` left open) ends there."""
        self._space = False
        while self.stack and self.stack[-1].content == TRANSPARENT:
            if self.stack[-1].name in TAGS and TAGS[self.stack[-1].name].block:
                break  # a <div> holds blocks: the paragraph is outside it
            self._pop()
        if self.stack and self.stack[-1].name in (_IMPLICIT_P, "p"):
            self._pop()
        self._details_body()

    def _details_body(self) -> None:
        """Content arrived in a ``<details>``: open the expand's body (with the title so far)."""
        if self.stack and self.stack[-1].content == _DETAILS and not self.stack[-1].body:
            details = self.stack[-1]
            title = " ".join((details.title or "").split()) or None
            self.out.append(macros.rich_macro_open("expand", {"title": title} if title else {}))
            details.body = True

    def _pop(self) -> None:
        self._space = False
        if self.stack[-1].content == _DETAILS:
            self._details_body()
        entry = self.stack.pop()
        if entry.content == _SUMMARY:
            self._details_body()
            return
        if entry.content in (INLINE, MIXED, BLOCK, _DETAILS) and entry.close:
            self._flush_anchors()
        self.out.append(entry.close)

    def _flush_anchors(self) -> None:
        if self.anchors and self._content() not in (STRUCTURE, _REMOVED, _SUMMARY):
            self.out.extend(macros.anchor(name) for name in self.anchors)
            self.anchors.clear()

    def _here(self) -> SyntaxTreeNode:
        """The node problems are reported against (its line is refined by ``_line``)."""
        assert self._node is not None
        return self._node

    def _warn(self, message: str) -> None:
        self.ctx.warn_at(self._line or None, message)

    # -- markdown="1" ------------------------------------------------------------------------

    def _in_markdown(self, event: HtmlEvent, text: str) -> None:
        """Inside an element marked ``markdown``: skip to its end tag, render what is between."""
        assert self._markdown is not None
        name, depth, offset = self._markdown
        if event.kind == "start" and event.name == name and not event.void:
            self._markdown = (name, depth + 1, offset)
        elif event.kind == "end" and event.name == name:
            if depth:
                self._markdown = (name, depth - 1, offset)
                return
            self._markdown = None
            self._render_markdown(text[offset : event.start])
            self._end(name)

    def _render_markdown(self, source: str) -> None:
        source = self._take_summary(source)
        self.insert(render_nested(source, self.ctx, self._line), block=True)

    def _take_summary(self, source: str) -> str:
        """``<details markdown="1">`` opening with ``<summary>``: the summary is the expand's
        title (plain text, as for ``<details>`` without the attribute), not Markdown body."""
        top = self.stack[-1] if self.stack else None
        match = _LEADING_SUMMARY.match(source)
        if top is None or top.content != _DETAILS or top.body or match is None:
            return source
        inner = match.group(1)
        top.title = "".join(e.text for e in html_events(inner) if e.kind == "text")
        return source[match.end() :]
