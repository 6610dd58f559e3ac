"""Footnotes (``text[^1]`` … ``[^1]: note``): numbered references and the notes at the page end.

Syntax from mdit-py-plugins' ``footnote_plugin`` (inline footnotes off). Each reference is a
superscript number linking down to its note, with an anchor the note's ``↩`` links back to.
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin

from confluence_sync.convert import macros
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.render_context import RenderContext


def footnote_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return f"<hr/><ol>{ctx.children(node)}</ol>"


def footnote(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    number = int(node.meta["id"]) + 1
    return f"<li>{macros.anchor(f'fn-{number}')}{ctx.children(node)}</li>"


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


EXTENSION = Extension(
    "footnotes",
    plugins=(partial(footnote_plugin, inline=False),),
    rules=MappingProxyType(
        {
            "footnote_block": footnote_block,
            "footnote": footnote,
            "footnote_ref": footnote_ref,
            "footnote_anchor": footnote_anchor,
        }
    ),
)
