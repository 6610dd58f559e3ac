"""Markdown inside raw HTML (``<div markdown="1">``, as MkDocs' ``md_in_html`` allows).

Rendered with the page's own state, so links, images and problems behave as anywhere else, but
with headings kept out of the page outline: the outline was computed before rendering and its
slugs belong to the page's own headings, in order. The parser is the dialect's own, handed
over in the render context: a construct holding Markdown needs no import of the parser.
"""

from __future__ import annotations

from textwrap import dedent
from typing import TYPE_CHECKING

from confluence_sync.convert.syntax_tree import balanced, release, syntax_tree
from confluence_sync.errors import ConversionError, Problem

if TYPE_CHECKING:
    from confluence_sync.convert.render_context import RenderContext


def render_nested(source: str, ctx: RenderContext, line: int) -> str:
    """Storage for Markdown ``source`` that starts on file line ``line`` of the page."""
    text = dedent(source.strip("\n"))
    if not text.strip():
        return ""
    if ctx.parser is None:
        message = "nested Markdown needs a render context made by a dialect (it has no parser)"
        raise ConversionError([Problem(ctx.state.source, message, line)])
    tokens = ctx.parser.parse(text, {})
    state = ctx.state
    saved = state.heading_slugs, state.line_offset, state.line, state.line_map, state.skip
    saved_first = state.first_line
    state.heading_slugs, state.line_offset, state.line = iter(()), max(line - 1, 0), None
    state.line_map, state.skip, state.first_line = (), set(), 0  # ids die with this tree
    root = syntax_tree(balanced(tokens))
    try:
        return "".join(ctx.render(child) for child in root.children)
    finally:
        release(root)
        state.heading_slugs, state.line_offset, state.line, state.line_map, state.skip = saved
        state.first_line = saved_first
