"""Raw HTML in Markdown: rules for ``html_block`` and ``html_inline`` nodes.

markdown-it hands raw HTML over in pieces. A block such as ``<table><tr><td>`` ends at the first
blank line, the cell's Markdown follows as ordinary blocks, and ``</td></tr></table>`` arrives as
another block; inline tags come one token each, with text and emphasis between them. Both rules
therefore run one ``HtmlEmitter`` over a whole run: an HTML block together with the siblings it
leaves open (those siblings are then skipped by their container), or all children of one inline
container. The emitter balances the tags; see ``htmlemit`` for the allowlist behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert.htmlemit import HtmlEmitter
from confluence_sync.convert.htmltokens import html_ids
from confluence_sync.convert.render_context import RenderContext


def inline_children(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Render an inline container, raw HTML tags included."""
    return inline_sequence(node.children, ctx)


def inline_sequence(children: Sequence[SyntaxTreeNode], ctx: RenderContext) -> str:
    """Render sibling inline nodes; with raw HTML among them, as one balanced HTML run."""
    render = ctx.render
    for child in children:
        if child.type == "html_inline":
            break
    else:
        return "".join([render(child) for child in children])
    emitter = HtmlEmitter(ctx, block=False)
    for child in children:
        if child.type == "html_inline":
            emitter.feed(child.content, child)
        elif not emitter.dropping:
            emitter.insert(render(child), block=False)
    return emitter.close()


def html_inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A lone inline tag (containers render their HTML through ``inline_sequence``)."""
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


def named_anchors(tokens: Sequence[Token]) -> list[str]:
    """Anchor names from raw HTML anywhere in a token stream (``<a name>``, ``id``), for the
    page outline that ``#fragment`` links are checked against.

    Inline children are parsed from their parent's ``content``: without a ``<`` (raw HTML) or
    a ``{`` (an attribute list) in it, none of them can name an anchor, so they are skipped."""
    names = []
    for token in tokens:
        if token.type in ("html_inline", "html_block"):
            names.extend(html_ids(token.content))
        elif token.attrs.get("id") and token.type != "heading_open":  # { #id } attribute lists
            names.append(str(token.attrs["id"]))
        if token.children and (
            token.type != "inline" or "<" in token.content or "{" in token.content
        ):
            names.extend(named_anchors(token.children))
    return names
