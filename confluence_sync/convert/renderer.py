"""``StorageRenderer``: markdown-it-py's renderer protocol, producing Confluence storage XHTML.

Not a ``RendererHTML`` subclass on purpose: plugins register HTML render rules by ``__output__``,
and an inherited HTML fallback would leak ``<input>`` checkboxes or ``<>`` for tokens we forgot.
Here every node type must have a rule in ``RULES`` or rendering raises with the source line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from confluence_sync.convert import macros
from confluence_sync.convert.anchors import anchor_for, heading_ids, heading_slugs, heading_texts
from confluence_sync.convert.blocks import BLOCK_RULES
from confluence_sync.convert.extras import EXTRA_RULES
from confluence_sync.convert.inlines import INLINE_RULES
from confluence_sync.convert.rawhtml import named_anchors
from confluence_sync.convert.render_context import DocState, Outline, RenderContext, Rule
from confluence_sync.convert.syntax_tree import release, syntax_tree

logger = logging.getLogger(__name__)

RULES: Mapping[str, Rule] = MappingProxyType({**BLOCK_RULES, **INLINE_RULES, **EXTRA_RULES})

STATE_KEY = "confluence_sync"


def balanced(tokens: Sequence[Token]) -> list[Token]:
    """Drop closing tokens that close nothing, and close what was left open.

    Plugins can emit an unbalanced stream for pathological input (a footnote definition nested
    in another one loses its opening tokens); ``SyntaxTreeNode`` would refuse it outright.
    """
    result: list[Token] = []
    stack: list[Token] = []
    for token in tokens:
        if token.nesting == 1:
            stack.append(token)
        elif token.nesting == -1:
            if not stack or stack[-1].type.removesuffix("_open") != token.type.removesuffix(
                "_close"
            ):
                logger.debug("dropping unbalanced %s", token.type)
                continue
            stack.pop()
        result.append(token)
    for opener in reversed(stack):
        closer = Token(opener.type.removesuffix("_open") + "_close", opener.tag, -1)
        result.append(closer)
    return result


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

    def __init__(self, parser: object = None) -> None:
        """markdown-it passes itself in; nothing of it is needed."""

    def render(
        self, tokens: Sequence[Token], options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        state = env.get(STATE_KEY)
        if not isinstance(state, DocState):
            state = DocState()
        outline = state.outline or page_outline(tokens)
        state.anchors = outline.anchors
        state.heading_slugs = iter(outline.slugs)
        return page_body(render_blocks(tokens, state), toc=state.toc)


def render_blocks(tokens: Sequence[Token], state: DocState) -> list[str]:
    """The storage of each top-level block of a token stream."""
    try:
        root = syntax_tree(tokens)
    except ValueError:  # unbalanced stream from a plugin; rare, so not checked up front
        root = syntax_tree(balanced(tokens))
    try:
        ctx = RenderContext(RULES, state)
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
