"""Qualified element names (``ac:task``) and small questions about parsed storage elements."""

from __future__ import annotations

from lxml import etree

from confluence_sync.convert.canonical import NAMESPACES

_PREFIX = {uri: prefix for prefix, uri in NAMESPACES.items()}
AC = NAMESPACES["ac"]
RI = NAMESPACES["ri"]


def qname(element: etree._Element) -> str:
    """``{uri}task`` → ``ac:task``; comments and processing instructions → ""."""
    return qualify(element.tag)


def qualify(name: object) -> str:
    """An element or attribute name with its storage prefix."""
    if not isinstance(name, str):
        return ""
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        prefix = _PREFIX.get(uri)
        return f"{prefix}:{local}" if prefix else local
    return name


def ac(local: str) -> str:
    """The lxml tag or attribute name of ``ac:<local>``."""
    return f"{{{AC}}}{local}"


def ri(local: str) -> str:
    """The lxml tag or attribute name of ``ri:<local>``."""
    return f"{{{RI}}}{local}"


def macro_name(element: etree._Element) -> str:
    """The ``ac:name`` of a structured macro ("" for any other element)."""
    return element.get(ac("name"), "") if qname(element) == "ac:structured-macro" else ""


def text_of(element: etree._Element) -> str:
    """All text inside an element (not its tail)."""
    return "".join(t if isinstance(t, str) else t.decode("utf-8") for t in element.itertext())


def parameters(macro: etree._Element) -> dict[str, str]:
    """A macro's parameters by name, as text."""
    return {p.get(ac("name"), ""): text_of(p) for p in macro if qname(p) == "ac:parameter"}


def list_start(element: etree._Element) -> int | None:
    """An ``<ol start>`` as a number Markdown can write (1 to 9 ASCII digits), else None: the
    attribute is wiki text, and ``"²".isdigit()`` holds while ``int("²")`` fails."""
    start = element.get("start", "")
    return int(start) if start.isascii() and start.isdigit() and len(start) <= 9 else None


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first direct child with the qualified ``name``."""
    return next((c for c in element if qname(c) == name), None)
