"""Diagram images the converter drew, back to their fences when a page is pulled.

The converter publishes a Mermaid or PlantUML fence as a paragraph holding one ``ac:image`` of
an attachment named ``mermaid-<hash>.png`` / ``plantuml-<hash>.png``, with the diagram's source
as the image's title (``convert/extensions/diagrams.py``). Such a paragraph comes back as the
fence, so a pulled page keeps its diagrams as source, not as a picture nobody can edit.

The title comes from the wiki, which is untrusted: it only ever becomes the content of a code
fence (with a fence longer than any backtick run in it), which Markdown shows as text.
"""

from __future__ import annotations

import re

from lxml import etree

from confluence_sync.reverse.escape import fence_for
from confluence_sync.reverse.names import ac, qname, ri

_DRAWN = re.compile(r"(mermaid|plantuml)-[0-9a-f]{20}\.png")


def diagram_fence(paragraph: etree._Element) -> str | None:
    """The fence for a paragraph that is exactly one drawn diagram, or None."""
    if (paragraph.text or "").strip() or len(paragraph) != 1:
        return None
    image = paragraph[0]
    if qname(image) != "ac:image" or (image.tail or "").strip() or len(image) != 1:
        return None
    resource = image[0]
    match = _DRAWN.fullmatch(resource.get(ri("filename"), "") or "")
    source = image.get(ac("title"))
    if qname(resource) != "ri:attachment" or match is None or not source:
        return None
    body = source.replace("\r\n", "\n")
    fence = fence_for(body, "`")
    return f"{fence}{match.group(1)}\n{body}\n{fence}"


_MATH = re.compile(r"math-[0-9a-f]{20}\.png")
_DOLLAR_SAFE = re.compile(r"[^\s$](?:[^$\n]*[^\s$\\])?")


def math_source(image: etree._Element) -> str | None:
    """``$latex$`` for an image of a formula the converter drew (``math-<hash>.png`` with the
    LaTeX as its alt text), or None. Alt text that dollars could not hold exactly (a ``$``, a
    line break, spaces at either end) stays an image; the text only ever becomes math."""
    resource = next(iter(image), None)
    if resource is None or qname(resource) != "ri:attachment":
        return None
    latex = image.get(ac("alt")) or ""
    if not _MATH.fullmatch(resource.get(ri("filename"), "") or ""):
        return None
    return f"${latex}$" if _DOLLAR_SAFE.fullmatch(latex) else None
