"""Rules for block elements: paragraphs, headings, lists, tasks, quotes, rules, footnotes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from confluence_sync.convert.anchors import anchor_for, slugify
from confluence_sync.reverse import structured, tables
from confluence_sync.reverse.diagram_fences import diagram_fence
from confluence_sync.reverse.flow import (
    content_nodes,
    flow_items,
    indent,
    inline_run,
    render_flow,
    render_item,
    render_items,
)
from confluence_sync.reverse.inlines import anchor_html
from confluence_sync.reverse.names import (
    ac,
    child,
    list_start,
    macro_name,
    parameters,
    qname,
    text_of,
)
from confluence_sync.reverse.reverse_context import ReverseContext, Rule, Unrepresentable

_FOOTNOTE = re.compile(r"fn:[\w-]+|fn-\d+")  # Python-Markdown's fn:LABEL, or the older fn-N
_BACK_LINK = re.compile(r"fnref\d*:[\w-]+|fnref-\d+(?:-\d+)?")
_ID = re.compile(r"[A-Za-z][\w.:-]*")


def paragraph(element: etree._Element, ctx: ReverseContext) -> str:
    """Inline content; a paragraph that is one drawn diagram becomes its fence again."""
    fence = diagram_fence(element)
    if fence is not None:
        return fence
    return inline_run(content_nodes(element), ctx)


def heading(element: etree._Element, ctx: ReverseContext) -> str:
    """``## Text``; the anchor the converter puts in every heading is dropped when the converter
    would make the same one again; a heading whose anchor differs (set with ``{#id}``, or kept by
    the wiki when the heading was renamed) gets it back as ``{#id}``, and further anchors as
    ``<a name>``."""
    level = int(qname(element)[1])
    nodes = content_nodes(element)
    anchors = [n for n in nodes if not isinstance(n, str) and macro_name(n) == "anchor"]
    visible = [n for n in nodes if not any(n is a for a in anchors)]
    text = inline_run(visible, ctx).replace("\n", " ")  # first: a verbatim heading has no slug
    slug = ctx.state.slugs.unique(slugify(_plain(visible).strip(" \t\r\n")))
    kept = [parameters(a).get("", "") for a in anchors]
    own = ""
    if slug and anchor_for(slug) in kept:
        kept.remove(anchor_for(slug))
    elif kept and _ID.fullmatch(kept[0]):  # the converter's ``{#id}`` replaces the slug anchor
        own = " {#" + kept.pop(0) + "}"
    if text.endswith(("#", "}")):
        text = re.sub(r"(?<!\\)([#}]+)$", lambda m: "".join("\\" + c for c in m.group(1)), text)
    lead = "".join(anchor_html(name) for name in kept)
    return ("#" * level + " " + lead + text).rstrip() + own


def _plain(nodes: list[etree._Element | str]) -> str:
    """Visible heading text as the converter slugs it (image alt text included)."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node.replace("\n", " "))  # a soft break counts as a space
        elif qname(node) == "ac:image":
            parts.append(node.get(ac("alt"), ""))
        elif qname(node) != "ac:structured-macro":
            parts.append(_plain(content_nodes(node)))
    return "".join(parts)


def _marker(kind: str, ctx: ReverseContext) -> str:
    """``-``/``1.`` normally; ``*``/``1)`` right after a list of the same family, which would
    otherwise continue it."""
    same = ctx.state.previous_list == ("ordered" if kind == "ol" else "bullet")
    if kind == "ol":
        return ")" if same else "."
    return "*" if same else "-"


def bullet_list(element: etree._Element, ctx: ReverseContext) -> str:
    return _list(element, ctx, _marker("ul", ctx), None)


def ordered_list(element: etree._Element, ctx: ReverseContext) -> str:
    first = list_start(element)
    return _list(element, ctx, _marker("ol", ctx), 1 if first is None else first)


def _list(element: etree._Element, ctx: ReverseContext, mark: str, start: int | None) -> str:
    """Items with their content indented under the marker; loose when any item has paragraphs
    (with ``tight_lists``, when any has several: the Cloud editor wraps every item in one)."""
    items = [c for c in element if qname(c) == "li"]
    if len(items) != len(element) or (element.text or "").strip():
        raise Unrepresentable("a list with content outside its items")
    paragraphs = [sum(qname(c) == "p" for c in item) for item in items]
    loose = max(paragraphs, default=0) > (1 if ctx.state.tight_lists else 0)
    out = []
    for number, item in enumerate(items, start=start or 0):
        marker = f"{number}{mark}" if start is not None else mark
        out.append(_item(item, ctx, marker, loose))
    return ("\n\n" if loose else "\n").join(out)


def _item(item: etree._Element, ctx: ReverseContext, marker: str, loose: bool) -> str:
    blocks = render_items(flow_items(content_nodes(item)), ctx)
    if not loose:
        blocks = ["***" if b == "---" else b for b in blocks]  # not a setext underline
    body = ("\n\n" if loose else "\n").join(blocks)
    return indent(body, " " * (len(marker) + 1), marker + " ")


def task_list(element: etree._Element, ctx: ReverseContext) -> str:
    """``- [x] body``; a task list right after a task is that task's sub-list."""
    mark = _marker("ul", ctx)
    out: list[str] = []
    for part in element:
        name = qname(part)
        if name == "ac:task":
            out.append(_task(part, ctx, mark))
        elif name == "ac:task-list" and out:
            ctx.state.previous_list = None
            out[-1] += "\n" + indent(task_list(part, ctx), "  ")
        else:
            raise Unrepresentable(f"<{name}> in a task list")
    return "\n".join(out)


def _task(task: etree._Element, ctx: ReverseContext, mark: str) -> str:
    """A task; its text's continuation lines align with the text, nested blocks with the box."""
    status = child(task, "ac:task-status")
    done = status is not None and text_of(status).strip() == "complete"
    body = child(task, "ac:task-body")
    box = f"{mark} [{'x' if done else ' '}] "
    text, blocks = _task_body(body, ctx) if body is not None else ("", [])
    lines = [indent(text, " " * len(box), box) if text else box]
    lines.extend(indent(block, "  ") for block in blocks)
    return "\n".join(lines)


def _task_body(body: etree._Element, ctx: ReverseContext) -> tuple[str, list[str]]:
    """The task's text, then its nested blocks; paragraphs (as the editor may write) join with
    line breaks, as the converter writes them."""
    nodes: list[etree._Element | str] = []
    for node in content_nodes(body):
        if not isinstance(node, str) and qname(node) == "p":
            if nodes:
                nodes.append(etree.Element("br"))
            nodes.extend(content_nodes(node))
        else:
            nodes.append(node)
    items = flow_items(nodes)
    # A task's text cannot be a fenced block: what has no Markdown form keeps the whole list.
    first = items[0] if items else None
    text = ""
    if isinstance(first, list):
        text = inline_run(first, ctx)
        items = items[1:]
    blocks = []
    for item in items:
        block = inline_run(item, ctx) if isinstance(item, list) else render_item(item, ctx)
        if block:
            blocks.append(block)
    return text, blocks


def blockquote(element: etree._Element, ctx: ReverseContext) -> str:
    return indent(render_flow(element, ctx), "> ")


def rule(element: etree._Element, ctx: ReverseContext) -> str:
    return "---"


def footnotes(notes: etree._Element, ctx: ReverseContext) -> str:
    """The ``<ol>`` after the ``<hr/>`` that the converter writes for footnotes (see
    ``is_footnote_block``) → ``[^N]: text`` definitions."""
    out = []
    for item in notes:
        number = parameters(item[0]).get("", "")[3:]  # after "fn:" or "fn-"
        clone = etree.fromstring(etree.tostring(item))
        clone.remove(clone[0])
        clone.text = None
        for link in [e for e in clone.iter(ac("link")) if _is_back_link(e)]:
            _drop_back_link(link)
        body = render_flow(clone, ctx)
        out.append(indent(body, "    ", f"[^{number}]: "))
    return "\n\n".join(out)


def is_footnote_block(rule_element: etree._Element, notes: etree._Element) -> bool:
    """An ``<hr/>`` followed by an ``<ol>`` whose every item starts with an ``fn-N`` anchor."""
    if qname(rule_element) != "hr" or qname(notes) != "ol" or len(notes) == 0:
        return False
    for item in notes:
        first = item[0] if len(item) else None
        if qname(item) != "li" or first is None or (item.text or "").strip():
            return False
        if macro_name(first) != "anchor":
            return False
        if not _FOOTNOTE.fullmatch(parameters(first).get("", "")):
            return False
    return True


def _is_back_link(link: etree._Element) -> bool:
    return bool(_BACK_LINK.fullmatch(link.get(ac("anchor"), "")))


def _drop_back_link(link: etree._Element) -> None:
    """Remove a ``↩`` link and the space the converter put before it."""
    parent = link.getparent()
    assert parent is not None
    previous = link.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "").rstrip(" ") + (link.tail or "")
    else:
        parent.text = (parent.text or "").rstrip(" ") + (link.tail or "")
    parent.remove(link)


BLOCK_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "p": paragraph,
        **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), heading),
        "ul": bullet_list,
        "ol": ordered_list,
        "ac:task-list": task_list,
        "blockquote": blockquote,
        "hr": rule,
        "table": tables.table,
        "ac:structured-macro": structured.block_macro,
    }
)
