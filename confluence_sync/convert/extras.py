"""Rules for the MkDocs / pymdown-extensions syntax: marks, keys, emoji icons, tabs, definition
lists and abbreviation definitions.

Definition lists become a two-column table (term | definition): ``<dl>`` is not kept by every
Confluence editor, and a table keeps each term visibly next to its meaning, however long the
definition. Tabs become one section per tab: the tab's title as a bold paragraph, then its
content, so every tab is readable at once (Confluence has no tabs).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros
from confluence_sync.convert.rawhtml import inline_children
from confluence_sync.convert.render_context import RenderContext, Rule


def wrap_markup(open_tag: str, close_tag: str) -> Rule:
    """A rule putting an inline container's content between two pieces of markup."""

    def rule(node: SyntaxTreeNode, ctx: RenderContext) -> str:
        return f"{open_tag}{inline_children(node, ctx)}{close_tag}"

    return rule


def keys(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """``++ctrl+alt+del++`` → Ctrl+Alt+Del as key caps."""
    return "+".join(f"<kbd>{macros.esc(key)}</kbd>" for key in node.meta["keys"])


def icon(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A theme icon shortcode: no Confluence equivalent, kept as text."""
    ctx.warn(node, f"icon {node.content} has no Confluence equivalent; kept as text")
    return macros.esc(node.content)


def abbreviation(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """The definition line itself is not shown; uses were expanded while parsing."""
    return ""


def tab(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    title = macros.esc(str(node.meta.get("title", "")))
    head = f"<p><strong>{title}</strong></p>" if title else ""
    return head + ctx.children(node)


def definition_list(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Terms and definitions → rows of a table; consecutive terms share one row."""
    rows: list[tuple[list[str], list[str]]] = []
    for child in node.children:
        rendered = ctx.children(child)
        if child.type == "dt":
            if not rows or rows[-1][1]:
                rows.append(([], []))
            rows[-1][0].append(rendered)
        else:
            if not rows:
                rows.append(([], []))
            rows[-1][1].append(rendered)
    body = "".join(
        f"<tr><th>{'<br/>'.join(terms)}</th><td>{''.join(defs)}</td></tr>" for terms, defs in rows
    )
    return f"<table><tbody>{body}</tbody></table>"


def id_anchor(node: SyntaxTreeNode) -> str:
    """The anchor for an ``{ #id }`` attribute on this node, or ""."""
    ident = node.attrs.get("id")
    return macros.anchor(str(ident)) if ident else ""


EXTRA_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "mark": wrap_markup(macros.HIGHLIGHT_OPEN, "</span>"),
        "ins": wrap_markup("<u>", "</u>"),
        "sub": wrap_markup("<sub>", "</sub>"),
        "sup": wrap_markup("<sup>", "</sup>"),
        "keys": keys,
        "icon": icon,
        "abbreviation": abbreviation,
        "tab": tab,
        "dl": definition_list,
    }
)
