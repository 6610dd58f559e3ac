"""Rules for inline nodes (text, emphasis, code, breaks, footnote references)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import links, macros, rawhtml
from confluence_sync.convert.extras import id_anchor, wrap_markup
from confluence_sync.convert.rawhtml import inline_children
from confluence_sync.convert.render_context import RenderContext, Rule


def inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """The inline content of one block; tracks the file line so problems point at it."""
    saved = ctx.state.line
    where = node.map  # a new tuple on each call of the property
    ctx.state.line = ctx.state.file_line(where[0]) if where else saved
    try:
        return inline_children(node, ctx)
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


def link(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return id_anchor(node) + links.render_link(node, ctx)


def image(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return id_anchor(node) + links.render_image(node, ctx)


def _footnote_anchors(node: SyntaxTreeNode) -> tuple[int, str]:
    """The note's number and the anchor of this reference to it (a note cited twice has two)."""
    number = int(node.meta["id"]) + 1
    sub = int(node.meta.get("subId", 0))
    return number, f"fnref-{number}" + (f"-{sub}" if sub else "")


def footnote_ref(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """``[^1]`` → a superscript number linking down to the note, with an anchor to come back to."""
    number, back = _footnote_anchors(node)
    link_xhtml = macros.anchor_link(f"fn-{number}", macros.esc(f"[{number}]"))
    return f"<sup>{macros.anchor(back)}{link_xhtml}</sup>"


def footnote_anchor(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """The ``↩`` after a footnote, back to the reference it came from."""
    return " " + macros.anchor_link(_footnote_anchors(node)[1], "\u21a9")


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
        "link": link,
        "image": image,
        "html_inline": rawhtml.html_inline,
        "footnote_ref": footnote_ref,
        "footnote_anchor": footnote_anchor,
    }
)
