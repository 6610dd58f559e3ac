"""Raw HTML in Markdown: a few inline tags survive, everything else is shown as text.

Storage format is XML and Confluence rejects or silently drops HTML it does not know, so raw HTML
is escaped (the reader sees what the author typed) except for the allowlist in DESIGN.md. Those
tags are only emitted when their opening and closing tags pair up among siblings of one inline
container; an unpaired tag is escaped, which keeps every output well-formed. ``<a name="x">`` (the
classic way to place an anchor) becomes the ``anchor`` macro; comments are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros
from confluence_sync.convert.context import RenderContext

INLINE_ALLOWLIST = frozenset({"br", "sub", "sup", "kbd", "small", "u"})
_OPEN = re.compile(r"^<([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?/?>$", re.DOTALL)
_CLOSE = re.compile(r"^</([A-Za-z][A-Za-z0-9-]*)\s*>$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NAMED_ANCHOR = re.compile(
    r"""<a\s+(?:name|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))\s*/?>(?:\s*</a>)?""",
    re.IGNORECASE,
)


def _anchor_name(tag: str) -> str | None:
    match = _NAMED_ANCHOR.fullmatch(tag.strip())
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None)


def _open_name(tag: str) -> str | None:
    match = _OPEN.match(tag.strip())
    return match.group(1).lower() if match else None


def pair_tags(children: Sequence[SyntaxTreeNode]) -> dict[int, str]:
    """Output for each ``html_inline`` sibling that is half of a matched allowlisted pair.

    Keyed by ``id(node)``; nodes not in the result are rendered by the ``html_inline`` rule.
    """
    paired: dict[int, str] = {}
    stack: list[tuple[str, SyntaxTreeNode]] = []
    for node in children:
        if node.type != "html_inline":
            continue
        tag = node.content.strip()
        close = _CLOSE.match(tag)
        if close is None:
            name = "a" if _anchor_name(tag) else _open_name(tag)
            if (
                name
                and (name in INLINE_ALLOWLIST - {"br"} or name == "a")
                and not tag.endswith("/>")
            ):
                stack.append((name, node))
            continue
        name = close.group(1).lower()
        depth = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == name), None)
        if depth is None:
            continue
        opener = stack[depth][1]
        del stack[depth:]
        if name != "a":
            paired[id(opener)] = f"<{name}>"
        paired[id(node)] = "" if name == "a" else f"</{name}>"
    return paired


def inline_children(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Render an inline container, letting paired allowlisted HTML tags through."""
    return inline_sequence(node.children, ctx)


def inline_sequence(children: Sequence[SyntaxTreeNode], ctx: RenderContext) -> str:
    """Render sibling inline nodes, letting paired allowlisted HTML tags through."""
    render = ctx.render
    paired = pair_tags(children)
    if not paired:
        return "".join([render(c) for c in children])
    return "".join([paired[id(c)] if id(c) in paired else render(c) for c in children])


def html_inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """An inline tag that did not pair up: comments vanish, ``<br>`` and anchors survive."""
    tag = node.content
    if _COMMENT.fullmatch(tag.strip()):
        return ""
    anchor = _anchor_name(tag)
    if anchor is not None:
        return macros.anchor(anchor)
    if _open_name(tag) == "br":
        return "<br/>"
    return macros.esc(tag)


def html_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A block of raw HTML: shown as text, minus comments; a lone anchor becomes the macro."""
    content = _COMMENT.sub("", node.content).strip()
    if not content:
        return ""
    anchors = _block_anchors(content)
    if anchors is not None:
        return "".join(macros.anchor(name) for name in anchors)
    lines = [macros.esc(line) for line in content.splitlines()]
    return "<p>" + "<br/>".join(lines) + "</p>"


def _block_anchors(content: str) -> list[str] | None:
    """The names when every line of an HTML block is an ``<a name>``; None when the block is
    shown as text (then none of its anchors exist on the page)."""
    names = [_anchor_name(line) for line in content.splitlines() if line.strip()]
    return [name for name in names if name] if all(names) else None


def named_anchors(tokens: Sequence[Token]) -> list[str]:
    """Names of ``<a name="…">`` anchors anywhere in a token stream, for ``#fragment`` checks."""
    names = []
    for token in tokens:
        if token.type == "html_inline":
            name = _anchor_name(token.content)
            if name:
                names.append(name)
        elif token.type == "html_block":
            names.extend(_block_anchors(_COMMENT.sub("", token.content)) or ())
        elif token.children:
            names.extend(named_anchors(token.children))
    return names
