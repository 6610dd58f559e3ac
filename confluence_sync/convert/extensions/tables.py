"""GFM tables → storage tables, with a warning for cells beyond the header.

markdown-it's own table rule drops the cells a body row has beyond its header without a word;
the rule here runs it and then records those cells in the row's ``meta``, so rendering can warn
that they are not shown. Header and body rows share one ``tbody``, as Confluence stores them.
"""

from __future__ import annotations

from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import escapedSplit
from markdown_it.rules_block.table import table as gfm_table
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.render_context import RenderContext


def _table_with_extra_cells(
    state: StateBlock, start_line: int, end_line: int, silent: bool
) -> bool:
    """markdown-it's GFM table rule, then: which body rows had cells beyond the header's."""
    first = len(state.tokens)
    if not gfm_table(state, start_line, end_line, silent):
        return False
    columns = None
    for token in state.tokens[first:]:
        if token.type != "tr_open" or token.map is None:
            continue
        cells = _cells(state, token.map[0])
        if columns is None:
            columns = len(cells)
        elif len(cells) > columns:
            token.meta["extra_cells"] = [c.strip() for c in cells[columns:]]
    return True


def _cells(state: StateBlock, line: int) -> list[str]:
    text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]].strip()
    cells = escapedSplit(text)
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1].strip() == "":
        cells.pop()
    return cells


def table_syntax_plugin(md: MarkdownIt) -> None:
    md.enable("table")
    md.block.ruler.at("table", _table_with_extra_cells, {"alt": ["paragraph", "reference"]})


def table(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """GFM table; header and body rows share one tbody, as Confluence stores them."""
    rows = "".join(ctx.render(row) for section in node.children for row in section.children)
    return f"<table><tbody>{rows}</tbody></table>"


def table_row(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    extra = node.meta.get("extra_cells")
    if extra:
        shown = " | ".join(extra)
        ctx.warn(node, f"table row has more cells than the header; not shown: {shown}")
    return f"<tr>{ctx.children(node)}</tr>"


def table_cell(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    style = str(node.attrs.get("style", ""))
    align = style.partition(":")[2].strip() if style.startswith("text-align") else ""
    style_attr = f' style="text-align: {macros.attr(align)};"' if align else ""
    return f"<{node.tag}{style_attr}>{ctx.children(node)}</{node.tag}>"


EXTENSION = Extension(
    "tables",
    plugins=(table_syntax_plugin,),
    rules=MappingProxyType({"table": table, "tr": table_row, "th": table_cell, "td": table_cell}),
)
