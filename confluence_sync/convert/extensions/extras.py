"""The MkDocs / pymdown-extensions extras: marks, inserts, sub/superscripts, keys, emoji and
icons, tabs, definition lists, abbreviations and attribute lists (``{ #id }``).

Syntax: mdit-py-plugins (definition lists, attribute lists with ids only, ``~sub~``,
``^sup^``) and this package's ``inlinesyntax`` (marks, inserts, keys, emoji, with ``emoji``)
and ``blocksyntax`` (tabs, abbreviations, attribute lists after headings and paragraphs).

Definition lists become a two-column table (term | definition): ``<dl>`` is not kept by every
Confluence editor, and a table keeps each term visibly next to its meaning, however long the
definition. Tabs become one section per tab: the tab's title as a bold paragraph, then its
content, so every tab is readable at once (Confluence has no tabs).
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from confluence_sync.convert import macros
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.extensions.blocksyntax import block_syntax_plugin
from confluence_sync.convert.extensions.inlinesyntax import inline_syntax_plugin
from confluence_sync.convert.inlines import wrap_markup
from confluence_sync.convert.render_context import RenderContext


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


EXTENSION = Extension(
    "extras",
    plugins=(
        deflist_plugin,
        partial(attrs_plugin, allowed=("id", "width", "height", "align")),
        sub_plugin,
        superscript_plugin,
        inline_syntax_plugin,
        block_syntax_plugin,
    ),
    rules=MappingProxyType(
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
    ),
)
