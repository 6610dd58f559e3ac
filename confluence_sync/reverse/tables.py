"""Tables → GFM pipe tables.

A pipe table needs one header row of ``th`` cells, the same columns in every row, and cells that
fit on one line. Cells holding paragraphs or lists are written as the HTML tags ``<p>``, ``<ul>``,
``<ol>``, ``<li>`` inside the cell (the forward converter's raw-HTML allowlist reads them back);
any other block in a cell, merged cells or a table without a header row keep the table verbatim.
"""

from __future__ import annotations

import re

from lxml import etree

from confluence_sync.reverse.flow import content_nodes, flow_items, inline_nodes, inline_run
from confluence_sync.reverse.names import child, list_start, qname
from confluence_sync.reverse.reverse_context import ReverseContext, Unrepresentable

_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_ALIGN = re.compile(r"text-align\s*:\s*(left|center|right)", re.IGNORECASE)
_DELIMITERS = {"": "---", "left": ":---", "center": ":---:", "right": "---:"}


def _rows(table: etree._Element) -> list[etree._Element]:
    rows = []
    for part in table:
        name = qname(part)
        if name == "tr":
            rows.append(part)
        elif name in _SECTIONS:
            if any(qname(r) != "tr" for r in part):
                raise Unrepresentable(f"<{name}> holding more than rows")
            rows.extend(part)
        else:
            raise Unrepresentable(f"<{name}> in a table")
    return rows


def _cells(row: etree._Element) -> list[etree._Element]:
    cells = [c for c in row if qname(c) in ("th", "td")]
    if len(cells) != len(row):
        raise Unrepresentable("a table row holding more than cells")
    for cell in cells:
        if cell.get("colspan", "1") != "1" or cell.get("rowspan", "1") != "1":
            raise Unrepresentable("merged table cells")
    return cells


def table(element: etree._Element, ctx: ReverseContext) -> str:
    rows = [_cells(row) for row in _rows(element)]
    if not rows or not rows[0] or any(qname(c) != "th" for c in rows[0]):
        raise Unrepresentable("a table without a header row")
    width = len(rows[0])
    if any(len(r) > width or any(qname(c) == "th" for c in r) for r in rows[1:]):
        raise Unrepresentable("a table with header cells below its first row")
    delimiter = "|" + "|".join(_DELIMITERS[_alignment(c)] for c in rows[0]) + "|"
    lines = [_line(rows[0], ctx), delimiter]
    lines.extend(_line(row, ctx) for row in rows[1:])
    return "\n".join(lines)


def _alignment(cell: etree._Element) -> str:
    """A column's alignment, from its header cell (or the editor's paragraph inside it)."""
    paragraph = child(cell, "p")
    for source in (cell, paragraph):
        match = _ALIGN.search(source.get("style", "")) if source is not None else None
        if match:
            return match.group(1).lower()
    return ""


def _line(cells: list[etree._Element], ctx: ReverseContext) -> str:
    saved, ctx.state.in_table = ctx.state.in_table, True
    try:
        return "| " + " | ".join(cell_markdown(c, ctx) for c in cells) + " |"
    finally:
        ctx.state.in_table = saved


def cell_markdown(cell: etree._Element, ctx: ReverseContext) -> str:
    """One cell on one line: inline Markdown, or HTML paragraphs and lists."""
    items = flow_items(content_nodes(cell))
    if not items:
        return ""
    if len(items) == 1 and isinstance(items[0], list):
        return inline_run(items[0], ctx)
    if len(items) == 1 and qname(items[0]) == "p":  # type: ignore[arg-type]
        return inline_run(content_nodes(items[0]), ctx)  # type: ignore[arg-type]
    return "".join(_html_block(item, ctx) for item in items)


def _html_block(item: etree._Element | list[etree._Element | str], ctx: ReverseContext) -> str:
    if isinstance(item, list):
        return f"<p>{inline_run(item, ctx)}</p>"
    name = qname(item)
    if name == "p":
        return f"<p>{inline_run(content_nodes(item), ctx)}</p>"
    if name in ("ul", "ol"):
        items = "".join(_html_item(li, ctx) for li in item)
        start = list_start(item) if name == "ol" else None
        opening = f'<ol start="{start}">' if start is not None else f"<{name}>"
        return f"{opening}{items}</{name}>"
    raise Unrepresentable(f"<{name}> in a table cell")


def _html_item(item: etree._Element, ctx: ReverseContext) -> str:
    if qname(item) != "li":
        raise Unrepresentable(f"<{qname(item)}> in a list")
    parts = []
    for part in flow_items(content_nodes(item)):
        if isinstance(part, list):
            ctx.state.line_start = False
            parts.append(inline_nodes(part, ctx).strip(" "))
        else:
            parts.append(_html_block(part, ctx))
    return f"<li>{''.join(parts)}</li>"
