"""Very large pages are parsed and rendered a chunk at a time, so memory follows the chunk.

markdown-it-py keeps every token of a page (about 400 bytes each, some 50 bytes of tokens per
byte of Markdown), and a syntax tree on top while rendering: a 10 MB page needed 600 MB. Yet in
CommonMark the top-level blocks of a page are parsed independently of each other, except for
what the parser shares through ``env`` (link reference definitions, abbreviations, footnotes),
and the renderer only reaches across top-level siblings for a raw HTML element left open. So a
large page is cut where a top-level block starts, as markdown-it's own block parser finds them
reading a window of the page at a time; reference definitions and abbreviations are collected
on the way (an abbreviation is spelled out at its first use on the page, whichever chunk), and
every chunk is then parsed with all of them. A cut is never made inside an open raw HTML run,
and pages with footnotes, which are gathered at the end of the page, are converted whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert.anchors import heading_ids, heading_slugs, heading_texts, named_anchors
from confluence_sync.convert.extensions.blocksyntax import ABBREVIATION_WORDS
from confluence_sync.convert.extensions.htmlemit import HtmlEmitter
from confluence_sync.convert.htmltokens import VOID, html_events
from confluence_sync.convert.parser import (
    default_dialect,
    markdown_parser,
    may_name,
    outline_parser,
)
from confluence_sync.convert.render_context import DocState, Outline
from confluence_sync.convert.renderer import anchors_of, page_body, render_blocks

CHUNK_CHARS = 200_000  # pages longer than this are cut into chunks of about this size
_NEWLINES = re.compile(r"\r\n?")
# front matter as mdit-py-plugins finds it: a first line of 3+ dashes, closed by the next line
# of at least as many dashes (indented less than 4 columns) or of "..."
_FRONT_MATTER = re.compile(
    r"(-{3,})[^\n]*\n(?:[^\n]*\n)*?(?: {0,3}\1-*[ \t]*|\.\.\.[ \t]*)(?:\n|$)"
)


@dataclass(frozen=True)
class Chunk:
    text: str
    line: int  # line of the page at which the chunk starts (0-based)


@dataclass(frozen=True)
class Cuts:
    """Where a page is cut (offset and line of every chunk), with what its chunks share: the
    page's outline, its link reference definitions and its abbreviations. Small enough to keep
    between the site's two passes without the page's text."""

    starts: tuple[tuple[int, int], ...]
    outline: Outline
    references: dict[str, Any] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChunkedText:
    """A page's normalised Markdown and its cuts."""

    text: str
    cuts: Cuts

    def chunks(self) -> Iterator[Chunk]:
        starts = self.cuts.starts
        ends = [offset for offset, _ in starts[1:]] + [len(self.text)]
        for (offset, line), end in zip(starts, ends, strict=True):
            yield Chunk(self.text[offset:end], line)

    def env(self) -> dict[str, Any]:
        """A fresh ``env`` for one chunk: markdown-it records duplicates in it as it goes."""
        references = self.cuts.references
        return {"references": references} if references else {}


def normalised(text: str) -> str:
    """What markdown-it's ``normalize`` rule makes of the text, so offsets and lines agree."""
    return _NEWLINES.sub("\n", text).replace("\0", "\ufffd")


def chunked(text: str, size: int | None = None) -> ChunkedText | None:
    """The page cut into chunks of about ``size`` characters (``CHUNK_CHARS``), with its
    outline, or None when it is converted whole: small enough, page-wide syntax, or no place
    to cut."""
    size = CHUNK_CHARS if size is None else size
    if len(text) <= size or "[^" in text:
        return None
    text = normalised(text)
    md = outline_parser()
    env: dict[str, Any] = {}
    starts = [(0, 0)]
    kept: list[Token] = []
    offset, line, window = 0, 0, size
    front_matter = _front_matter_end(text)
    after = text.count("\n", 0, front_matter)
    while True:
        end = _window_end(text, offset, window)
        if end < front_matter:
            end = _window_end(text, front_matter, 0)
        part = text[offset:end]
        tokens = md.parse(part, env)
        cut = None if end == len(text) else _last_cut(tokens, part, after - line)
        if cut is None and end < len(text):
            window *= 2  # one block larger than the window: read further
            continue
        kept += _outline_part(tokens, cut)
        if cut is None:
            break
        offset, line = offset + _offset_of_line(part, cut), line + cut
        starts.append((offset, line))
        window = size
    if len(starts) == 1:
        return None
    references = env.get("references", {})
    outline = _outline(kept, references)
    return ChunkedText(text, Cuts(tuple(starts), outline, references, env.get("abbreviations", {})))


def _outline_part(tokens: list[Token], cut: int | None) -> list[Token]:
    """The tokens of the blocks before line ``cut`` that an outline reads (as ``outline_tokens``
    does): headings, raw HTML, ids, and inline content that may name an anchor."""
    kept: list[Token] = []
    previous = None
    for token in tokens:
        if cut is not None and token.level == 0 and token.map and token.map[0] >= cut:
            break
        if _read_by_outline(token, previous):
            kept.append(token)
        previous = token
    return kept


def _read_by_outline(token: Token, previous: Token | None) -> bool:
    if token.type in ("heading_open", "html_block") or token.attrs.get("id"):
        return True
    if token.type != "inline":
        return False
    return (previous is not None and previous.type == "heading_open") or may_name(token.content)


def _outline(kept: list[Token], references: dict[str, Any]) -> Outline:
    """The outline of the kept tokens, their inline content parsed once every reference
    definition on the page is known (a heading's text may be a reference link)."""
    md = outline_parser()
    env: dict[str, Any] = {"references": references} if references else {}
    for token in kept:
        if token.type == "inline":
            token.children = md.inline.parse(token.content, md, env, [])
    slugs = heading_slugs(heading_texts(kept), heading_ids(kept))
    return Outline(tuple(slugs), anchors_of(slugs, named_anchors(kept)))


def render_chunked(page: ChunkedText, state: DocState) -> str:
    """The page's storage, one chunk parsed and rendered at a time, each released before the
    next; the same text as rendering the whole page at once."""
    md = markdown_parser()
    ctx = default_dialect().context(state)
    outline = state.outline or page.cuts.outline
    state.anchors, state.heading_slugs = outline.anchors, iter(outline.slugs)
    unused = dict(page.cuts.abbreviations)  # spelled out once, in whichever chunk comes first
    shared = {"abbreviations": unused, ABBREVIATION_WORDS: tuple(unused)} if unused else {}
    parts = []
    for chunk in page.chunks():
        tokens = md.parse(chunk.text, {**page.env(), **shared})
        state.first_line = chunk.line
        parts.append(page_body(render_blocks(tokens, ctx), toc=False))
        del tokens
    state.first_line = 0
    return page_body(parts, toc=state.toc)


def _window_end(text: str, offset: int, size: int) -> int:
    """End of a window: after the last line before a blank line within ``size`` characters
    (a paragraph or reference definition is never cut in two), or the end of the text."""
    if offset + size >= len(text):
        return len(text)
    blank = text.rfind("\n\n", offset, offset + size)
    if blank <= offset:
        blank = text.find("\n\n", offset + size)
    return len(text) if blank < 0 else blank + 1


def _front_matter_end(text: str) -> int:
    """Where front matter at the top of the page ends (0 without).

    Front matter is the one block whose end can be anywhere further down: a window that does
    not reach its closing line would parse it as something else (its lines as reference
    definitions, say), so the first window always reaches it, and no cut comes before it.
    """
    match = _FRONT_MATTER.match(text)
    return match.end() if match else 0


def _last_cut(tokens: list[Token], part: str, after: int) -> int | None:
    """The last line of the window where a chunk may end: the start of a top-level block,
    with every block before it complete (the last two blocks of a window may run on past it),
    after line ``after``, outside any raw HTML run, and not a line front matter could be
    mistaken for."""
    blocks = [t for t in tokens if t.level == 0 and t.nesting >= 0 and t.map is not None]
    lines = part.split("\n")
    runs = _HtmlRuns()
    cut = None
    for index, block in enumerate(blocks[:-2]):
        runs.feed(block)
        start = blocks[index + 1].map[0]  # type: ignore[index]
        if start > after and not runs.open and not lines[start].startswith("---"):
            cut = start
    return cut


def _offset_of_line(part: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        offset = part.index("\n", offset) + 1
    return offset


class _HtmlRuns:
    """Whether a raw HTML run is still open after a sequence of top-level blocks.

    The renderer's ``html_block`` rule continues an HTML block through the following siblings
    while its ``HtmlEmitter`` holds an element open; a cut there would close the element early.
    Two trackers must both say closed: the renderer's own emitter, fed the blocks' HTML with a
    placeholder for the Markdown between, and a plain stack of tag names. The stack knows no
    implied ends, so after a tag its page never closes (a bare ``<p>``) nothing more is cut:
    the rest of the page is converted in one piece, as every page was before.
    """

    def __init__(self) -> None:
        self._emitter: HtmlEmitter | None = None
        self._names: list[str] = []
        self._ctx = default_dialect().context(DocState())

    @property
    def open(self) -> bool:
        return bool(self._names) or (self._emitter is not None and self._emitter.is_open)

    def feed(self, block: Token) -> None:
        if block.type != "html_block":
            if self._emitter is not None and not self._emitter.dropping:
                self._emitter.insert("<p>x</p>", block=True)
            return
        if self._emitter is None or not self._emitter.is_open:
            self._emitter = HtmlEmitter(self._ctx, block=True)
        self._emitter.feed(block.content, SyntaxTreeNode([block], create_root=False))
        self._ctx.state.warnings.clear()
        self._ctx.state.problems.clear()
        for event in html_events(block.content):
            self._name(event.kind, event.name, event.void)

    def _name(self, kind: str, name: str, void: bool) -> None:
        if kind == "start" and not void and name not in VOID:
            self._names.append(name)
        elif kind == "end" and name in self._names:
            del self._names[len(self._names) - 1 - self._names[::-1].index(name) :]
