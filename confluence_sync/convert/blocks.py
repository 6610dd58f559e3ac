"""Rules for block nodes: paragraphs, headings, lists and tasks, quotes, code, tables, footnotes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import yaml
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros, panels, rawhtml, rawstorage
from confluence_sync.convert.anchors import anchor_for
from confluence_sync.convert.extras import id_anchor
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


def _is_task_list(node: SyntaxTreeNode) -> bool:
    return bool(node.children) and all("checked" in item.meta for item in node.children)


def bullet_list(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    if _is_task_list(node):
        return _tasks(node, ctx)
    return f"<ul>{ctx.children(node)}</ul>"


def ordered_list(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    if _is_task_list(node):
        return _tasks(node, ctx)
    start = node.attrs.get("start")
    start_attr = f' start="{int(start)}"' if start is not None and int(start) != 1 else ""
    return f"<ol{start_attr}>{ctx.children(node)}</ol>"


def _tasks(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Every item has a checkbox: Confluence's native tasks (see ``macros.task_list``)."""
    return macros.task_list([(bool(i.meta["checked"]), _task_body(i, ctx)) for i in node.children])


def _task_body(item: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Task bodies hold inline content in Confluence: paragraphs lose ``<p>`` and are joined by
    line breaks, even in a loose list; nested lists follow."""
    texts: list[str] = []
    blocks: list[str] = []
    for child in item.children:
        if child.type == "paragraph" and not blocks:
            texts.append(ctx.children(child))
        else:
            blocks.append(ctx.render(child))
    return "<br/>".join(texts) + "".join(blocks)


def list_item(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A list item; a lone checkbox item in an otherwise plain list keeps a visible box."""
    box = ""
    if "checked" in node.meta:
        box = "\u2611 " if node.meta["checked"] else "\u2610 "
    return f"<li>{box}{ctx.children(node)}</li>"


def blockquote(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    titled = panels.titled_alert(node, ctx)
    if titled is not None:
        return titled
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


def table(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """GFM table; header and body rows share one tbody, as Confluence stores them."""
    rows = "".join(ctx.render(row) for section in node.children for row in section.children)
    return f"<table><tbody>{rows}</tbody></table>"


def table_row(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    extra = node.meta.get("extra_cells")
    if extra:
        shown = " | ".join(extra)
        ctx.warn(node, f"table row has more cells than the header; not shown: {shown}")
    return f"<tr>{ctx.children(node)}</tr>"


def table_cell(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    style = str(node.attrs.get("style", ""))
    align = style.partition(":")[2].strip() if style.startswith("text-align") else ""
    style_attr = f' style="text-align: {macros.attr(align)};"' if align else ""
    return f"<{node.tag}{style_attr}>{ctx.children(node)}</{node.tag}>"


def footnote_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return f"<hr/><ol>{ctx.children(node)}</ol>"


def footnote(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    number = int(node.meta["id"]) + 1
    return f"<li>{macros.anchor(f'fn-{number}')}{ctx.children(node)}</li>"


BLOCK_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "front_matter": front_matter,
        "paragraph": paragraph,
        "heading": heading,
        "bullet_list": bullet_list,
        "ordered_list": ordered_list,
        "list_item": list_item,
        "blockquote": blockquote,
        "alert": panels.alert,
        "admonition": panels.admonition,
        "generic_block": panels.generic_block,
        "hr": hr,
        "fence": fence,
        "code_block": code_block,
        "html_block": rawhtml.html_block,
        "table": table,
        "tr": table_row,
        "th": table_cell,
        "td": table_cell,
        "footnote_block": footnote_block,
        "footnote": footnote,
    }
)
