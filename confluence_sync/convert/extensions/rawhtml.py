"""Raw HTML in Markdown: rules for ``html_block`` and ``html_inline`` nodes.

markdown-it hands raw HTML over in pieces. A block such as ``<table><tr><td>`` ends at the first
blank line, the cell's Markdown follows as ordinary blocks, and ``</td></tr></table>`` arrives as
another block; inline tags come one token each, with text and emphasis between them. Both rules
therefore run one ``HtmlEmitter`` over a whole run: an HTML block together with the siblings it
leaves open (those siblings are then skipped by their container), or all children of one inline
container (the run rule, which the core calls for any inline run holding an ``html_inline``).
The emitter balances the tags; see ``htmlemit`` for the allowlist behaviour. Markdown inside an
element marked ``markdown`` goes through the core's ``nested.render_nested``.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert.extension import Extension
from confluence_sync.convert.extensions.htmlemit import HtmlEmitter
from confluence_sync.convert.render_context import RenderContext


def html_run(children: Sequence[SyntaxTreeNode], ctx: RenderContext) -> str:
    """Sibling inline nodes with raw HTML among them, as one balanced HTML run."""
    render = ctx.render
    emitter = HtmlEmitter(ctx, block=False)
    for child in children:
        if child.type == "html_inline":
            emitter.feed(child.content, child)
        elif not emitter.dropping:
            emitter.insert(render(child), block=False)
    return emitter.close()


def html_inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A lone inline tag (containers render their HTML through ``html_run``)."""
    emitter = HtmlEmitter(ctx, block=False)
    emitter.feed(node.content, node)
    return emitter.close()


def html_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A block of raw HTML, continued through the following siblings while a tag is open."""
    emitter = HtmlEmitter(ctx, block=True)
    emitter.feed(node.content, node)
    if not emitter.is_open or node.parent is None:
        return emitter.close()
    siblings = node.parent.children
    index = next(i for i, child in enumerate(siblings) if child is node)
    for sibling in siblings[index + 1 :]:
        if not emitter.is_open:
            break
        if sibling.type == "html_block":
            emitter.feed(sibling.content, sibling)
        elif not emitter.dropping:
            emitter.insert(ctx.render(sibling), block=True)
        ctx.state.skip.add(id(sibling))
    return emitter.close()


EXTENSION = Extension(
    "rawhtml",
    options=MappingProxyType({"html": True}),
    rules=MappingProxyType({"html_block": html_block, "html_inline": html_inline}),
    runs=MappingProxyType({"html_inline": html_run}),
)
