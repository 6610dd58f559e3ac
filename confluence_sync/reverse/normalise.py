"""Undo what the Confluence editor adds around content before rules see it.

The editor stores ids (``local-id``, ``ac:macro-id``, ``ac:task-id``), schema versions, table
layout (``data-*``, ``<colgroup>``), spans that carry nothing, empty spacer paragraphs, and splits
formatting into adjacent runs (``<strong>a</strong><strong>b</strong>``). None of it has a
Markdown form and none of it means anything to a reader, so it goes before rendering.
"""

from __future__ import annotations

from lxml import etree

from confluence_sync.convert.canonical import (
    VOLATILE_ATTRIBUTES,
    VOLATILE_ELEMENTS,
    remove_element,
    unwrap_element,
)
from confluence_sync.reverse.names import ac, qname, qualify

_RENAME = {"b": "strong", "i": "em", "s": "del", "strike": "del"}
_MERGEABLE = frozenset(
    {"strong", "em", "code", "del", "u", "sub", "kbd", "small"}
)  # not sup: footnotes
_DROPPED_ATTRIBUTES = frozenset({*VOLATILE_ATTRIBUTES, "class", "ac:breakout-mode"})
_INVISIBLE = " \t\r\n\u00a0\u200b"
# Macros that sit inside a line of text (the same list as ``flow.INLINE_MACROS``).
INLINE_MACROS = frozenset({"anchor", "status", "jira", "mention", "profile-picture"})


def normalise(root: etree._Element) -> None:
    """Clean ``root`` (a parsed storage body) in place."""
    for element in list(root.iter()):
        name = qname(element)
        if not name or name in VOLATILE_ELEMENTS:
            remove_element(element)
            continue
        _clean_attributes(element)
        if name in _RENAME:
            element.tag = _RENAME[name]
        elif name == "span" and _is_strike(element):
            element.tag = "del"
            del element.attrib["style"]
    for element in list(root.iter()):
        name = qname(element)
        if (name == "span" and not element.attrib) or name == "ac:inline-comment-marker":
            unwrap_element(element)
        elif name == "ac:placeholder":
            remove_element(element)
    for element in list(root.iter()):
        if _is_spacer(element):
            remove_element(element)
        elif _wraps_block_macro(element):
            unwrap_element(element)
    _merge_runs(root)


def _clean_attributes(element: etree._Element) -> None:
    for key in list(element.attrib):
        name = qualify(key)
        if name in _DROPPED_ATTRIBUTES or name.startswith("data-"):
            del element.attrib[key]
    style = element.get("style")
    if style is not None and not style.strip(" ;"):
        del element.attrib["style"]


def _is_strike(element: etree._Element) -> bool:
    style = element.get("style", "").replace(" ", "").rstrip(";").lower()
    return len(element.attrib) == 1 and style == "text-decoration:line-through"


def _is_spacer(element: etree._Element) -> bool:
    """An empty paragraph (maybe holding a lone ``<br/>``): the editor's room around macros."""
    if qname(element) != "p" or element.attrib:
        return False
    children = list(element)
    if len(children) > 1 or any(
        qname(c) != "br" or (c.tail or "").strip(_INVISIBLE) for c in children
    ):
        return False
    return not (element.text or "").strip(_INVISIBLE)


def _wraps_block_macro(element: etree._Element) -> bool:
    """A ``<p>`` around nothing but a block macro (the editor wraps code, panels, Jira lists)."""
    if qname(element) != "p" or element.attrib or len(element) != 1:
        return False
    only = element[0]
    text = (element.text or "") + (only.tail or "")
    if text.strip(_INVISIBLE) or qname(only) != "ac:structured-macro":
        return False
    return only.get(ac("name"), "") not in INLINE_MACROS


def _merge_runs(root: etree._Element) -> None:
    """``<strong>a</strong><strong>b</strong>`` → ``<strong>ab</strong>`` (Markdown cannot write
    two adjacent runs of the same emphasis)."""
    for element in list(root.iter()):
        if element.getparent() is None:
            continue
        following = element.getnext()
        while (
            following is not None
            and qname(element) in _MERGEABLE
            and qname(following) == qname(element)
            and not element.tail
            and following.attrib == element.attrib
        ):
            children = list(following)
            if len(element):
                element[-1].tail = (element[-1].tail or "") + (following.text or "")
            else:
                element.text = (element.text or "") + (following.text or "")
            element.extend(children)
            element.tail = following.tail
            element.getparent().remove(following)  # type: ignore[union-attr]
            following = element.getnext()
