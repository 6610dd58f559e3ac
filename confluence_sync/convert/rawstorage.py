"""```` ```confluence ```` fences: storage markup published exactly as written.

``pull`` keeps wiki content that has no Markdown form (a Jira macro, a status lozenge, a layout)
in such a fence, so a round trip through the repository loses nothing; a person may write one by
hand too. The content must be well-formed XML using the ``ac:``/``ri:`` prefixes and no named
entities, as Confluence requires; anything else is a problem on the offending line, and the block
is shown as code instead.
"""

from __future__ import annotations

import re

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros
from confluence_sync.convert.render_context import RenderContext
from confluence_sync.errors import Problem

LANGUAGE = "confluence"
_WRAP = (
    '<confluence xmlns:ac="http://www.atlassian.com/schema/confluence/4/ac/"'
    ' xmlns:ri="http://www.atlassian.com/schema/confluence/4/ri/">{}</confluence>'
)
_WHERE = re.compile(r", line \d+, column \d+$")


def storage_problem(storage: str) -> tuple[str, int] | None:
    """Why ``storage`` is not publishable markup and on which of its lines; None when it is.
    lxml is imported here: most sites have no such fence and need not pay for it."""
    from lxml import etree

    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    try:
        etree.fromstring(_WRAP.format(storage).encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        return _WHERE.sub("", str(exc.msg)), int(exc.lineno or 1)
    return None


def raw_storage(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """The fence's content as is, or (with a problem recorded) as a code block."""
    storage = node.content.removesuffix("\n")
    found = storage_problem(storage)
    if found is None:
        return storage
    message, line = found
    fence_line = ctx.line_of(node)
    state = ctx.state
    state.problems.append(
        Problem(
            state.source,
            f"confluence block is not well-formed storage markup: {message}",
            fence_line + line if fence_line is not None else None,
        )
    )
    return macros.code_block(storage)
