"""Mixed content → Markdown blocks.

Storage containers (the page, a list item, a cell, a macro body) mix text, inline elements and
block elements freely. ``flow_items`` splits such content into block elements and runs of inline
nodes; ``render_items`` renders each, and keeps an item verbatim (a ```` ```confluence ```` fence)
when it has no Markdown form, so one unknown macro costs one block, not the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from confluence_sync.reverse.escape import collapse, escape_text
from confluence_sync.reverse.names import macro_name, qname
from confluence_sync.reverse.normalise import INLINE_MACROS
from confluence_sync.reverse.reverse_context import ReverseContext, Unrepresentable
from confluence_sync.reverse.verbatim import confluence_fence, storage_of

Node = etree._Element | str
Item = etree._Element | list[Node]  # a block element, or a run of inline nodes

# Elements that sit inside a line of text, whether or not Markdown has a form for them.
INLINE_NAMES = frozenset(
    {
        *("a", "abbr", "big", "br", "cite", "code", "del", "em", "font", "img", "ins", "kbd"),
        *("mark", "q", "samp", "small", "span", "strong", "sub", "sup", "time", "tt", "u"),
        *("var", "ac:link", "ac:image", "ac:emoticon", "ac:inline-comment-marker", "ri:user"),
    }
)
_LAYOUT_NBSP = re.compile("[ \u00a0]*\u00a0[ \u00a0]*")
_FENCE_LIKE = re.compile(r"^(?:~~~|```)")
_TRAILING_SPACES = re.compile(r"[ \t]+\n")


def is_inline(element: etree._Element) -> bool:
    name = qname(element)
    if name == "ac:structured-macro":
        return macro_name(element) in INLINE_MACROS
    return name in INLINE_NAMES


def content_nodes(element: etree._Element) -> list[Node]:
    """An element's content as a flat list of text and child elements (tails as text)."""
    nodes: list[Node] = []
    if element.text:
        nodes.append(element.text)
    for child in element:
        nodes.append(child)
        if child.tail:
            nodes.append(child.tail)
    return nodes


def flow_items(nodes: Sequence[Node]) -> list[Item]:
    """Group content into block elements and inline runs; whitespace-only runs are dropped."""
    items: list[Item] = []
    run: list[Node] = []
    for node in nodes:
        if isinstance(node, str) or is_inline(node):
            run.append(node)
            continue
        if _has_content(run):
            items.append(run)
        run = []
        items.append(node)
    if _has_content(run):
        items.append(run)
    return items


def _has_content(run: Sequence[Node]) -> bool:
    return any(not isinstance(n, str) or n.strip(" \t\r\n\u00a0") for n in run)


def render_item(item: Item, ctx: ReverseContext) -> str:
    """One block of Markdown; verbatim storage when the item has no Markdown form."""
    try:
        if isinstance(item, list):
            return inline_run(item, ctx)
        return ctx.block(item)
    except Unrepresentable as exc:
        ctx.warn(f"kept as a confluence block: {exc}")
        nodes = item if isinstance(item, list) else [item]
        return confluence_fence(storage_of(nodes))


def render_items(items: Sequence[Item], ctx: ReverseContext) -> list[str]:
    """Render items in order; each list learns what kind of list came just before it."""
    blocks = []
    previous: str | None = None
    for item in items:
        ctx.state.previous_list = previous
        block = render_item(item, ctx)
        previous = list_family(item) if block else previous
        if block:
            blocks.append(block)
    return blocks


def list_family(item: Item) -> str | None:
    """Two lists of one family in a row would merge in Markdown unless their markers differ."""
    name = "" if isinstance(item, list) else qname(item)
    return {"ul": "bullet", "ac:task-list": "bullet", "ol": "ordered"}.get(name)


def render_flow(element: etree._Element, ctx: ReverseContext, separator: str = "\n\n") -> str:
    """The Markdown of a container's whole content."""
    return separator.join(render_items(flow_items(content_nodes(element)), ctx))


def inline_run(nodes: Sequence[Node], ctx: ReverseContext) -> str:
    """A run of inline nodes as one paragraph's Markdown (edges trimmed)."""
    nodes = list(nodes)
    if nodes and isinstance(nodes[-1], str):
        nodes[-1] = nodes[-1].rstrip(" \t\r\n\u00a0")
    if nodes and isinstance(nodes[0], str):
        nodes[0] = nodes[0].lstrip(" \t\r\n")
    ctx.state.line_start = True
    markdown = _TRAILING_SPACES.sub("\n", inline_nodes(nodes, ctx))  # two would break the line
    return _no_fence_lines(markdown.strip(" \n"))


def _no_fence_lines(markdown: str) -> str:
    """Join a line that markup made start like a code fence (``~~~~x~~~~``, a code span in
    ```` ``` ````) to the line before, so it stays in the paragraph."""
    lines = markdown.split("\n")
    out = lines[:1]
    for line in lines[1:]:
        if _FENCE_LIKE.match(line):
            previous = out.pop()
            joined = previous[:-1] + "<br>" if previous.endswith("\\") else previous + " "
            out.append(joined + line)
        else:
            out.append(line)
    return "\n".join(out)


def inline_nodes(nodes: Sequence[Node], ctx: ReverseContext) -> str:
    """Inline Markdown for text and inline elements, in order."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(text(node, ctx))
        elif is_inline(node):
            parts.append(ctx.inline(node))
        else:
            raise Unrepresentable(f"<{qname(node)}> inside a line of text")
    return "".join(parts)


def text(value: str, ctx: ReverseContext) -> str:
    """A text node: whitespace as read, layout no-break spaces dropped, Markdown escaped."""
    value = _LAYOUT_NBSP.sub(lambda m: " " if " " in m.group(0) else m.group(0), value)
    # a lone CR (``&#13;`` in storage) ends a Markdown line too: it must be escaped like one
    value = collapse(value.replace("\r\n", "\n").replace("\r", "\n"))
    if ctx.state.in_table:
        value = value.replace("\n", " ")
    if ctx.state.line_start:
        value = value.lstrip(" \n")
    if not value:
        return ""
    escaped = escape_text(value, line_start=ctx.state.line_start).replace("\u00a0", "&nbsp;")
    ctx.state.line_start = escaped.endswith("\n")
    return escaped


def indent(block: str, prefix: str, first: str | None = None) -> str:
    """Prefix every line of ``block`` (blank lines stay blank); ``first`` replaces the prefix of
    the first line (a list marker)."""
    lines = block.split("\n")
    out = []
    for index, line in enumerate(lines):
        lead = first if index == 0 and first is not None else prefix
        out.append((lead + line) if line else lead.rstrip())
    return "\n".join(out)
