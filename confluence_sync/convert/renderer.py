"""``StorageRenderer``: markdown-it-py's renderer protocol, producing Confluence storage XHTML.

Not a ``RendererHTML`` subclass on purpose: plugins register HTML render rules by ``__output__``,
and an inherited HTML fallback would leak ``<input>`` checkboxes or ``<>`` for tokens we forgot.
Here every node type must have a rule in the dialect's table (``dialect.py``: the core's rules
merged with the extensions') or rendering raises with the source line. The renderer holds no
table of its own: the dialect that builds it hands it the way to make a render context.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, ClassVar

from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from confluence_sync.convert import macros
from confluence_sync.convert.anchors import (
    anchor_for,
    heading_ids,
    heading_slugs,
    heading_texts,
    named_anchors,
)
from confluence_sync.convert.render_context import DocState, Outline, RenderContext
from confluence_sync.convert.syntax_tree import balanced, release, syntax_tree

__all__ = ["STATE_KEY", "StorageRenderer", "balanced", "page_anchors", "page_body", "page_outline"]

STATE_KEY = "confluence_sync"


def page_anchors(tokens: Sequence[Token], slugs: Sequence[str] | None = None) -> dict[str, str]:
    """Every anchor a ``#fragment`` can reach on this page: heading slugs and ``<a name>``s."""
    if slugs is None:
        slugs = heading_slugs(heading_texts(tokens), heading_ids(tokens))
    return anchors_of(slugs, named_anchors(tokens))


def anchors_of(slugs: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """Heading slugs first, then raw HTML names that no heading took."""
    anchors = {slug: anchor_for(slug) for slug in slugs if slug}
    for name in names:
        anchors.setdefault(name, name)
    return anchors


def page_outline(tokens: Sequence[Token]) -> Outline:
    """The outline of a parsed page; closers that ``balanced`` would fix do not change it."""
    slugs = heading_slugs(heading_texts(tokens), heading_ids(tokens))
    return Outline(tuple(slugs), page_anchors(tokens, slugs))


class StorageRenderer:
    """Satisfies ``markdown_it.renderer.RendererProtocol``; the document state rides in ``env``."""

    __output__: ClassVar[str] = "confluence-storage"

    def __init__(
        self,
        parser: object = None,
        *,
        contexts: Callable[[DocState], RenderContext] | None = None,
    ) -> None:
        """markdown-it passes itself in (nothing of it is needed); a dialect passes
        ``contexts``, which makes the render context for a document's state."""
        self.contexts = contexts

    def render(
        self, tokens: Sequence[Token], options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        state = env.get(STATE_KEY)
        if not isinstance(state, DocState):
            state = DocState()
        outline = state.outline or page_outline(tokens)
        state.anchors = outline.anchors
        state.heading_slugs = iter(outline.slugs)
        if self.contexts is None:
            raise TypeError("a StorageRenderer renders only for the dialect that built it")
        return page_body(render_blocks(tokens, self.contexts(state)), toc=state.toc)


def render_blocks(tokens: Sequence[Token], ctx: RenderContext) -> list[str]:
    """The storage of each top-level block of a token stream."""
    state = ctx.state
    try:
        root = syntax_tree(tokens)
    except ValueError:  # unbalanced stream from a plugin; rare, so not checked up front
        root = syntax_tree(balanced(tokens))
    try:
        return [ctx.render(child) for child in root.children]
    finally:
        release(root)
        state.skip.clear()  # ids of freed nodes: the next chunk's nodes may reuse them


def page_body(blocks: list[str], *, toc: bool) -> str:
    """Top-level blocks one per line, so rendered files read and diff well (Confluence ignores
    it); the table of contents first when front matter or options asked for one."""
    if toc:
        blocks.insert(0, macros.toc())
    return "\n".join(block for block in blocks if block)
