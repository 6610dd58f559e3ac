"""Storage markup with no Markdown form, written back out as storage for a ```` ```confluence ````
fence, which the forward converter publishes unchanged.

The output is the element as parsed and normalised (editor ids gone), with the ``ac:``/``ri:``
prefixes and no namespace declarations, code bodies in CDATA so they stay readable, and one
element per line inside containers whose whitespace Confluence ignores.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from confluence_sync.convert.macros import attr, cdata, esc
from confluence_sync.reverse.escape import fence_for
from confluence_sync.reverse.names import qname, qualify

# Elements whose direct whitespace carries no meaning: their children can go one per line.
_CONTAINERS = frozenset(
    {
        "ac:structured-macro",
        "ac:rich-text-body",
        "ac:task-list",
        "ac:task",
        "ac:layout",
        "ac:layout-section",
        "ac:layout-cell",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "ol",
    }
)
_CDATA = frozenset({"ac:plain-text-body", "ac:plain-text-link-body"})


def _open_tag(element: etree._Element) -> str:
    if qname(element) == "del":  # normalised from the forward converter's strikethrough span
        return '<span style="text-decoration: line-through;"'
    attrs = "".join(f' {qualify(k)}="{attr(str(v))}"' for k, v in element.attrib.items())
    return f"<{qname(element)}{attrs}"


def _element(element: etree._Element, depth: int) -> str:
    name = "span" if qname(element) == "del" else qname(element)
    text = element.text or ""
    children = list(element)
    if name in _CDATA:
        return f"{_open_tag(element)}>{cdata(text)}</{name}>"
    if not children and not text:
        return f"{_open_tag(element)}/>"
    if (
        name in _CONTAINERS
        and not text.strip()
        and all(not (c.tail or "").strip() for c in children)
    ):
        pad = "\n" + "  " * (depth + 1)
        inner = "".join(pad + _element(c, depth + 1) for c in children)
        return f"{_open_tag(element)}>{inner}\n{'  ' * depth}</{name}>"
    inner = esc(text) + "".join(_element(c, depth) + esc(c.tail or "") for c in children)
    return f"{_open_tag(element)}>{inner}</{name}>"


def storage_of(nodes: Iterable[etree._Element | str]) -> str:
    """Storage for a run of sibling nodes (elements without their tails, and text)."""
    parts = []
    for node in nodes:
        parts.append(esc(node) if isinstance(node, str) else _element(node, 0))
    return "".join(parts).strip()


def confluence_fence(storage: str) -> str:
    """A fenced block the forward converter passes through as raw storage."""
    fence = fence_for(storage)
    return f"{fence}confluence\n{storage}\n{fence}"
