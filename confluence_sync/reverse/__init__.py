"""Confluence storage format → the Markdown dialect the forward converter reads (for ``pull``).

The mirror of ``convert/``: a read-only table of small rules over lxml elements instead of
markdown-it nodes. What the Confluence editor adds (ids, layout attributes, spans, spacer
paragraphs) is normalised away first; markup with no Markdown form is kept verbatim in a
```` ```confluence ```` fence, which the forward converter publishes unchanged.
"""

from __future__ import annotations

from confluence_sync.reverse.document import storage_to_markdown
from confluence_sync.reverse.link_map import LinkMap, LinkTable, NewAttachment, ReverseResult

__all__ = ["LinkMap", "LinkTable", "NewAttachment", "ReverseResult", "storage_to_markdown"]
