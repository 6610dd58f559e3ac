"""Core rules for CommonMark's block nodes: paragraphs, headings, lists, quotes, rules, code.

Constructs beyond CommonMark (tables, tasks, footnotes, panels, raw HTML, …) bring their rules
in their own extension (``extensions/``); an extension may replace one of these rules for a node
type, and then calls the plain rule here for the cases it leaves alone (``tasks.bullet_list``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import yaml
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros, rawstorage
from confluence_sync.convert.anchors import anchor_for, id_anchor
from confluence_sync.convert.render_context import RenderContext, Rule

_TOC_MARKER = re.compile(r"^\s*\[toc\]\s*$", re.IGNORECASE)
_TITLE = re.compile(r"""\btitle=(?:"([^"]*)"|'([^']*)'|(\S+))""")


def front_matter(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Dropped from the output; only ``toc: true`` matters here (standalone conversion)."""
    try:
        data = yaml.safe_load(node.content)
    except yaml.YAMLError:
        return ""
    if isinstance(data, dict) and data.get("toc") is True:
        ctx.state.toc = True
    return ""


def paragraph(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    inline = node.children[0] if node.children else None
    if inline is not None and inline.type == "inline" and _TOC_MARKER.match(inline.content):
        return macros.toc()
    body = id_anchor(node) + ctx.children(node)
    return body if node.hidden else f"<p>{body}</p>"


def heading(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A heading with an anchor macro named by its GitHub slug, so ``#slug`` links reach it."""
    slug = next(ctx.state.heading_slugs, "")
    target = macros.anchor(anchor_for(slug)) if slug else ""
    return f"<{node.tag}>{target}{ctx.children(node)}</{node.tag}>"


def bullet_list(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return f"<ul>{ctx.children(node)}</ul>"


def ordered_list(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    start = node.attrs.get("start")
    start_attr = f' start="{int(start)}"' if start is not None and int(start) != 1 else ""
    return f"<ol{start_attr}>{ctx.children(node)}</ol>"


def list_item(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return f"<li>{ctx.children(node)}</li>"


def blockquote(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return f"<blockquote>{ctx.children(node)}</blockquote>"


def hr(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return "<hr/>"


def fence(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Fenced code: the info string gives the language and an optional ``title="…"``."""
    info = node.info.strip()
    words = info.split()
    language = words[0].strip("{}.") if words and "=" not in words[0] else None
    match = _TITLE.search(info)
    title = next((g for g in match.groups() if g is not None), None) if match else None
    if language == rawstorage.LANGUAGE:  # storage kept verbatim (by ``pull``, or by hand)
        return rawstorage.raw_storage(node, ctx)
    return macros.code_block(_strip_newline(node.content), language, title)


def code_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return macros.code_block(_strip_newline(node.content))


def _strip_newline(code: str) -> str:
    return code.removesuffix("\n")


BLOCK_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "front_matter": front_matter,
        "paragraph": paragraph,
        "heading": heading,
        "bullet_list": bullet_list,
        "ordered_list": ordered_list,
        "list_item": list_item,
        "blockquote": blockquote,
        "hr": hr,
        "fence": fence,
        "code_block": code_block,
    }
)
