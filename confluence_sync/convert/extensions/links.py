"""Markdown links and images, bare-URL autolinks (GFM), and what their targets may be.

The targets themselves (another page, an anchor, a file, the web) are decided by the core's
``targets.py``, which raw HTML links and images share. The parser is told to accept every link
destination: markdown-it's own check would leave ``[x](javascript:…)`` as literal Markdown
source on the page, whereas ``targets.render_link`` shows only such a link's text.
"""

from __future__ import annotations

from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from confluence_sync.convert import targets
from confluence_sync.convert.anchors import id_anchor
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.render_context import RenderContext


def link(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return id_anchor(node) + targets.render_link(node, ctx)


def image(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return id_anchor(node) + targets.render_image(node, ctx)


def _parse_every_link(url: str) -> bool:
    """Let ``javascript:`` and friends parse as links: the renderer then shows only their text."""
    return True


def every_link_plugin(md: MarkdownIt) -> None:
    md.validateLink = _parse_every_link  # type: ignore[method-assign]


EXTENSION = Extension(
    "links",
    plugins=(gfm_autolink_plugin, every_link_plugin),
    rules=MappingProxyType({"link": link, "image": image}),
)
