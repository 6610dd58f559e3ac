"""Core rules for CommonMark's inline nodes: text, emphasis, strikethrough, code, breaks.

Links and images, raw HTML and footnote references are extensions (``extensions/``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros
from confluence_sync.convert.anchors import id_anchor
from confluence_sync.convert.render_context import RenderContext, Rule


def wrap_markup(open_tag: str, close_tag: str) -> Rule:
    """A rule putting an inline container's content between two pieces of markup."""

    def rule(node: SyntaxTreeNode, ctx: RenderContext) -> str:
        return f"{open_tag}{ctx.inline_children(node)}{close_tag}"

    return rule


def inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """The inline content of one block; tracks the file line so problems point at it."""
    saved = ctx.state.line
    where = node.map  # a new tuple on each call of the property
    ctx.state.line = ctx.state.file_line(where[0]) if where else saved
    try:
        return ctx.inline_children(node)
    finally:
        ctx.state.line = saved


def text(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    content = node.content
    if "](" in content and BROKEN_LINK.search(content):  # the test first: it is most texts' no
        ctx.warn(
            node,
            "this looks like a link Markdown did not read ('](' in text): is its "
            "destination split across lines or does it contain a space?",
        )
    return macros.esc(content)


BROKEN_LINK = re.compile(r"\]\([^)\s]*$")  # "[text](dest" with the rest on the next line


def code_inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return f"{id_anchor(node)}<code>{macros.esc(node.content)}</code>"


def softbreak(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    if ctx.state.line is not None:
        ctx.state.line += 1
    return "\n"


def hardbreak(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    if ctx.state.line is not None:
        ctx.state.line += 1
    return "<br/>"


INLINE_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "inline": inline,
        "text": text,
        "em": wrap_markup("<em>", "</em>"),
        "strong": wrap_markup("<strong>", "</strong>"),
        "s": wrap_markup(macros.STRUCK_OPEN, "</span>"),
        "code_inline": code_inline,
        "softbreak": softbreak,
        "hardbreak": hardbreak,
    }
)
