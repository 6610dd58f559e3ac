"""Markdown → Confluence storage format (XHTML-based XML).

``markdown_to_storage`` converts one standalone document. ``convert_markdown`` is the site-aware
path: a ``LinkResolver`` from the site model turns relative links and images into page links and
attachments, and whatever cannot be resolved is returned as problems rather than raised, so
``check`` can list every broken link at once. Content that publishes but loses something (a tag
left out, a table cell beyond the header) is returned as warnings.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markdown_it.token import Token

from confluence_sync.convert.attachment_set import AttachmentSet, FileDigests
from confluence_sync.convert.chunks import ChunkedText, Cuts, chunked, normalised, render_chunked
from confluence_sync.convert.parser import markdown_parser, outline_tokens
from confluence_sync.convert.render_context import DocState, Outline
from confluence_sync.convert.renderer import STATE_KEY, page_anchors, page_outline
from confluence_sync.convert.snippets import Snippets, expand_snippets
from confluence_sync.convert.storage_doc import (
    Attachment,
    DiagramResolver,
    LinkResolver,
    PageTarget,
    StorageDoc,
)
from confluence_sync.convert.syntax_tree import balanced
from confluence_sync.errors import Problem

__all__ = [
    "Attachment",
    "Cuts",
    "DiagramResolver",
    "FileDigests",
    "LinkResolver",
    "PageTarget",
    "ParsedPage",
    "Snippets",
    "StorageDoc",
    "collector_paused",
    "convert_markdown",
    "heading_anchors",
    "markdown_to_storage",
    "parse_markdown",
    "render_parsed",
]


@dataclass(frozen=True)
class ParsedPage:
    """A page parsed once: a site needs every page's anchors before it can render any page, and
    parsing is most of the cost, so the site model keeps the tokens between the two passes.

    A very large page keeps no tokens: it is parsed a chunk at a time when its outline and its
    storage are needed (``chunks``), so its memory follows the chunk, not the page."""

    tokens: list[Token]
    env: dict[str, Any] = field(default_factory=dict)
    line_map: tuple[int, ...] = ()  # page line of each parsed line, when snippets were inlined
    snippet_errors: tuple[tuple[int, str], ...] = ()  # (line, message)
    chunked: ChunkedText | None = None

    @cached_property
    def outline(self) -> Outline:
        """Heading slugs and anchors, computed once for both passes."""
        if self.chunked is not None:
            return self.chunked.cuts.outline
        return page_outline(self.tokens)

    @property
    def cuts(self) -> Cuts | None:
        return self.chunked.cuts if self.chunked is not None else None

    @property
    def anchors(self) -> dict[str, str]:
        return self.outline.anchors


def parse_markdown(
    text: str, *, snippets: Snippets | None = None, cuts: Cuts | None = None
) -> ParsedPage:
    """Parse a page; with ``snippets``, ``--8<--`` markers are inlined first. ``cuts``: where an
    earlier parse of this very text cut it (``ParsedPage.cuts``), which saves finding them again."""
    line_map: tuple[int, ...] = ()
    errors: tuple[tuple[int, str], ...] = ()
    if snippets is not None:
        expanded = expand_snippets(text, snippets)
        text, line_map, errors = expanded.text, tuple(expanded.origin), tuple(expanded.errors)
    large = ChunkedText(normalised(text), cuts) if cuts is not None else chunked(text)
    if large is not None:
        return ParsedPage([], {}, line_map, errors, large)
    env: dict[str, Any] = {}
    return ParsedPage(markdown_parser().parse(text, env), env, line_map, errors)


def render_parsed(
    parsed: ParsedPage,
    *,
    source: str = "<string>",
    line_offset: int = 0,
    resolver: LinkResolver | None = None,
    toc: bool = False,
    digests: FileDigests | None = None,
    diagrams: str = "code",
    math: str = "macro",
) -> StorageDoc:
    """Like ``convert_markdown`` for a page parsed with ``parse_markdown``; ``digests`` shares
    attachment hashes between the pages of a site."""
    state = DocState(
        source=source,
        line_offset=line_offset,
        resolver=resolver,
        toc=toc,
        diagrams=diagrams,
        math=math,
        outline=parsed.outline,
        attachments=AttachmentSet(digests),
        line_map=parsed.line_map,
    )
    state.problems.extend(
        Problem(source, message, line + line_offset) for line, message in parsed.snippet_errors
    )
    if parsed.chunked is not None:
        return _doc(render_chunked(parsed.chunked, state), state)
    md = markdown_parser()
    xhtml = md.renderer.render(parsed.tokens, md.options, {**parsed.env, STATE_KEY: state})
    return _doc(xhtml, state)


def convert_markdown(
    text: str,
    *,
    source: str = "<string>",
    line_offset: int = 0,
    resolver: LinkResolver | None = None,
    toc: bool = False,
    snippets: Snippets | None = None,
) -> StorageDoc:
    """Convert one page. Raises ``ConversionError`` only for syntax the renderer has no rule for."""
    parsed = parse_markdown(text, snippets=snippets)
    return render_parsed(parsed, source=source, line_offset=line_offset, resolver=resolver, toc=toc)


def _doc(xhtml: str, state: DocState) -> StorageDoc:
    return StorageDoc(
        xhtml=xhtml,
        attachments=state.attachments.items(),
        problems=tuple(state.problems),
        external_links=tuple(state.external_links),
        warnings=tuple(state.warnings),
    )


def markdown_to_storage(text: str) -> str:
    """Storage XHTML for a standalone document; ``.md`` links are titled by their file stem."""
    return convert_markdown(text).xhtml


def heading_anchors(text: str) -> dict[str, str]:
    """Slug → ``ac:anchor`` name for every heading, raw HTML ``<a name>`` / ``id`` and
    ``{ #id }`` attribute of a page.

    The site model calls this on all pages before converting any, so cross-page ``#fragment``
    links can be checked.
    """
    large = chunked(text)
    if large is not None:
        return large.cuts.outline.anchors
    return page_anchors(balanced(outline_tokens(text)))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a whole site is parsed and rendered.

    A site keeps every page's tokens until all pages are rendered: hundreds of thousands of
    objects, which each collector pass walked again, for nothing (a sixth of the site's build
    time). Conversion makes no cyclic garbage (tokens hold no cycles and the renderer releases
    each tree it builds), so reference counting frees all memory meanwhile.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
