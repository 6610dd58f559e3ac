"""A canonical text form of storage XHTML, so "did the content change?" ignores Confluence's noise.

Confluence rewrites what it stores: macro ids and schema versions appear, ``<b>`` becomes
``<strong>``, tables gain widths, layouts and ``<colgroup>``, tasks gain ids, cell text gets wrapped
in ``<p>``, named entities such as ``&nbsp;`` show up, attribute order and self-closing style
change. Comparing raw strings would report a change on every page after the first save, so both
sides go through :func:`canonical_xhtml` first. The output is pretty-printed, one element per line,
so a unified diff of two canonical forms reads well. Inline comment markers are unwrapped: a
reviewer's comment on a page is not a change of its content (``comment_markers.py``).
"""

from __future__ import annotations

import html.entities
import re

from lxml import etree

from confluence_sync.convert.comment_markers import MARKER
from confluence_sync.convert.macros import attr, esc

NAMESPACES = {
    "ac": "http://www.atlassian.com/schema/confluence/4/ac/",
    "ri": "http://www.atlassian.com/schema/confluence/4/ri/",
    "at": "http://www.atlassian.com/schema/confluence/4/at/",
}
_PREFIX = {uri: prefix for prefix, uri in NAMESPACES.items()}
_WRAP_OPEN = "<root " + " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES.items()) + ">"

VOLATILE_ATTRIBUTES = frozenset(
    {
        "ac:macro-id",
        "ac:schema-version",
        "ac:local-id",
        "local-id",
        "data-layout",
        "data-table-width",
        "data-local-id",
        "ac:task-list-id",
        "ri:version-at-save",
        "ac:original-width",
        "ac:original-height",
    }
)
VOLATILE_ELEMENTS = frozenset({"ac:task-id", "ac:task-uuid", "colgroup"})
_RENAME = {"b": "strong", "i": "em"}
_STRUCK = frozenset({"s", "del", "strike"})
_PRESERVE = frozenset({"ac:plain-text-body", "ac:plain-text-link-body", "pre"})
_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})
_ENTITY = re.compile(r"<!\[CDATA\[.*?\]\]>|&([A-Za-z][A-Za-z0-9]*);", re.DOTALL)
_XML_SPACE = " \t\r\n"  # not str.isspace(): a no-break space is content
_SPACE = re.compile(f"[{_XML_SPACE}]+")


def _numeric_entities(storage: str) -> str:
    """Named HTML entities (``&nbsp;``) → numeric references, which need no DTD."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None or name in _XML_ENTITIES:  # a CDATA section (code) or an XML entity
            return match.group(0)
        char = html.entities.html5.get(name + ";")
        if char is None:
            return "&amp;" + name + ";"
        return "".join(f"&#{ord(c)};" for c in char)

    return _ENTITY.sub(replace, storage)


def _qname(name: object) -> str:
    """``{uri}local`` → ``ac:local``; anything that is not an element or attribute name → ""."""
    if isinstance(name, bytes):
        name = name.decode("utf-8")
    if not isinstance(name, str):
        return ""
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        prefix = _PREFIX.get(uri)
        return f"{prefix}:{local}" if prefix else name
    return name


def parse_storage(storage: str) -> etree._Element:
    """A storage body under one root declaring ``ac:``/``ri:``, HTML entities resolved; strict
    first, then lenient, because a page a person broke in the wiki must still be readable."""
    text = _WRAP_OPEN + _numeric_entities(storage) + "</root>"
    for recover in (False, True):
        parser = etree.XMLParser(
            strip_cdata=True, remove_comments=True, resolve_entities=False, recover=recover
        )
        try:
            root = etree.fromstring(text.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            continue
        if root is not None:
            return root
    return etree.Element("root")


def remove_element(element: etree._Element) -> None:
    """Drop an element but keep the text that followed it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def unwrap_element(element: etree._Element) -> None:
    """Replace an element by its content."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    previous = element.getprevious()
    lead = element.text or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + lead
    else:
        parent.text = (parent.text or "") + lead
    children = list(element)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
    elif previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    parent.remove(element)


def _normalise_style(style: str) -> str:
    declarations = []
    for part in style.split(";"):
        prop, _, value = part.partition(":")
        if prop.strip() and value.strip():
            declarations.append(f"{prop.strip().lower()}: {_SPACE.sub(' ', value.strip())}")
    return "; ".join(sorted(declarations))


def _clean_element(element: etree._Element) -> None:
    """Names and attributes: rename synonyms, drop volatile attributes, normalise style."""
    name = _qname(element.tag)
    if name in _RENAME:
        element.tag = _RENAME[name]
    elif name in _STRUCK:
        element.tag = "span"
        element.set("style", "text-decoration: line-through")
    for key in list(element.attrib):
        if _qname(key) in VOLATILE_ATTRIBUTES:
            del element.attrib[key]
    if "style" in element.attrib:
        style = _normalise_style(element.get("style", ""))
        if style:
            element.set("style", style)
        else:
            del element.attrib["style"]


def _only_child(element: etree._Element) -> etree._Element | None:
    children = list(element)
    if len(children) != 1 or (element.text or "").strip() or (children[0].tail or "").strip():
        return None
    return children[0]


def _merge_table_sections(table: etree._Element) -> None:
    """thead/tbody/tfoot → one tbody; Confluence stores header rows inside tbody."""
    sections = ("thead", "tbody", "tfoot")
    rows = []
    for row in table.iter("tr"):
        parent = row.getparent()
        if parent is table or (parent is not None and _qname(parent.tag) in sections):
            rows.append(row)
    for section in [c for c in table if _qname(c.tag) in sections]:
        table.remove(section)
    body = etree.SubElement(table, "tbody")
    for row in rows:
        body.append(row)


def _structure(root: etree._Element) -> None:
    """Undo Confluence's structural rewrites: cell paragraphs, wrapped macros, placeholders."""
    for element in list(root.iter()):
        name = _qname(element.tag)
        if not name or name in VOLATILE_ELEMENTS:  # "" = processing instruction
            remove_element(element)
        elif name == MARKER or (  # comments are not content: see comment_markers.py
            name == "span" and "placeholder-inline-tasks" in element.get("class", "")
        ):
            unwrap_element(element)
    for table in list(root.iter("table")):
        _merge_table_sections(table)
    # empty paragraphs go first, so a cell left with one paragraph is unwrapped in this pass
    # and not only when the canonical form is canonicalised again
    for element in list(root.iter("p")):
        if len(element) == 0 and not (element.text or "").strip():
            remove_element(element)
    for element in list(root.iter()):
        name = _qname(element.tag)
        only = _only_child(element)
        if name in ("td", "th") and only is not None and only.tag == "p":
            unwrap_element(only)
        elif name == "p" and only is not None and _qname(only.tag) == "ac:structured-macro":
            unwrap_element(element)
    for macro in root.iter(f"{{{NAMESPACES['ac']}}}structured-macro"):
        _sort_parameters(macro)


def _sort_parameters(macro: etree._Element) -> None:
    key = f"{{{NAMESPACES['ac']}}}name"
    params = [c for c in macro if _qname(c.tag) == "ac:parameter"]
    for param in params:
        macro.remove(param)
    for offset, param in enumerate(sorted(params, key=lambda p: p.get(key, ""))):
        macro.insert(offset, param)


def _text(value: str | None, preserve: bool) -> str:
    """Text as compared: exact inside code bodies, elsewhere with whitespace runs collapsed and
    trimmed (each text run gets its own line in the output, so edge spaces are not visible).

    Consequence: a space added or removed next to an inline element compares equal."""
    if value is None:
        return ""
    return value if preserve else _SPACE.sub(" ", value).strip(_XML_SPACE)


def _open_tag(element: etree._Element) -> str:
    attrs = sorted((_qname(k), v) for k, v in element.attrib.items())
    rendered = "".join(f' {k}="{attr(str(v))}"' for k, v in attrs)
    return f"<{_qname(element.tag)}{rendered}"


def _emit(element: etree._Element, depth: int, lines: list[str], preserve: bool) -> None:
    name = _qname(element.tag)
    preserve = preserve or name in _PRESERVE
    pad = "  " * depth
    text = _text(element.text, preserve)
    children = list(element)
    if not children:
        lines.append(
            f"{pad}{_open_tag(element)}/>"
            if not text
            else f"{pad}{_open_tag(element)}>{esc(text)}</{name}>"
        )
        return
    lines.append(f"{pad}{_open_tag(element)}>")
    if text:
        lines.append(f"{pad}  {esc(text)}")
    for child in children:
        _emit(child, depth + 1, lines, preserve)
        tail = _text(child.tail, preserve)
        if tail:
            lines.append(f"{pad}  {esc(tail)}")
    lines.append(f"{pad}</{name}>")


def canonical_xhtml(storage: str) -> str:
    """Canonical, pretty-printed form of a storage body, for equality checks and unified diffs."""
    root = parse_storage(storage)
    for element in root.iter():
        if isinstance(element.tag, str):
            _clean_element(element)
    _structure(root)
    lines: list[str] = []
    text = _text(root.text, False)
    if text:
        lines.append(esc(text))
    for child in root:
        _emit(child, 0, lines, False)
        tail = _text(child.tail, False)
        if tail:
            lines.append(esc(tail))
    return "\n".join(lines) + ("\n" if lines else "")


def same_content(a: str, b: str) -> bool:
    """True when two storage bodies differ only in what Confluence changes on save."""
    return a == b or canonical_xhtml(a) == canonical_xhtml(b)
