"""Storage-format parsing and Confluence's save-time rewrites.

Confluence refuses bodies that are not well-formed XML (named HTML entities included) and
rewrites what it stores. Doing both here means every publish test meets realistic bodies, so
diff and skip logic cannot pass by comparing raw strings.
"""

from __future__ import annotations

import re
import uuid

from lxml import etree

from confluence_sync.localwiki.api_error import ApiError

AC = "http://www.atlassian.com/schema/confluence/4/ac/"
RI = "http://www.atlassian.com/schema/confluence/4/ri/"
_OPEN = f'<ac:confluence xmlns:ac="{AC}" xmlns:ri="{RI}">\n'
_CLOSE = "\n</ac:confluence>"
_ENTITY = re.compile(r"Entity '([^']+)' not defined")
_UNCLOSED = re.compile(r"Opening and ending tag mismatch: (\S+) line")
_RENAMES = {"b": "strong", "i": "em"}


def parse_storage(body: str) -> etree._Element:
    """Parse a storage body the way Confluence does, or fail with its 400 wording."""
    parser = etree.XMLParser(
        strip_cdata=False, resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        return etree.fromstring((_OPEN + body + _CLOSE).encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ApiError(400, _parse_message(exc, body)) from exc


def _parse_message(exc: etree.XMLSyntaxError, body: str) -> str:
    """Woodstox-style wording and a position inside the body (not our wrapper)."""
    line, column = exc.position
    detail = str(exc.msg or exc).split(", line ")[0]
    body_lines = body.split("\n")
    unclosed = _UNCLOSED.search(detail)
    if unclosed and "ac:confluence" in detail:
        detail = f"Unexpected EOF; was expecting a close tag for element <{unclosed.group(1)}>"
        line, column = len(body_lines) + 1, len(body_lines[-1]) + 1
    detail = re.sub(r"line (\d+)", lambda m: f"line {max(int(m.group(1)) - 1, 1)}", detail)
    entity = _ENTITY.search(detail)
    if entity:
        detail = f'Undeclared general entity "{entity.group(1)}"'
    row = min(max(line - 1, 1), len(body_lines))
    return f"Error parsing xhtml: {detail}\n at [row,col {{unknown-source}}]: [{row},{column}]"


def serialise(root: etree._Element) -> str:
    """The inner XML of the wrapper, without the namespace declarations it carried."""
    text = etree.tostring(root, encoding="unicode")
    start = text.index(">") + 1
    end = text.rindex("</")
    return text[start:end].strip("\n")


def normalise(root: etree._Element) -> None:
    """Apply the rewrites Confluence makes on save (in place); existing ids are kept."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element)
        if tag.namespace is None and tag.localname in _RENAMES:
            element.tag = _RENAMES[tag.localname]
        elif tag.namespace is None and tag.localname == "table":
            _default(element, "data-layout", "default")
            _default(element, "data-table-width", "760")
            _default(element, f"{{{AC}}}local-id", str(uuid.uuid4()))
        elif tag.namespace == AC and tag.localname == "structured-macro":
            _default(element, f"{{{AC}}}schema-version", "1")
            _default(element, f"{{{AC}}}macro-id", str(uuid.uuid4()))
        elif tag.namespace == AC and tag.localname == "task-list":
            _default(element, f"{{{AC}}}task-list-id", uuid.uuid4().hex[:12])


def _default(element: etree._Element, name: str, value: str) -> None:
    if element.get(name) is None:
        element.set(name, value)


def check_and_store(body: str, *, normalise_body: bool) -> str:
    """Validate a body and return what the wiki keeps (normalised unless switched off)."""
    root = parse_storage(body)
    if not normalise_body:
        return body
    normalise(root)
    return serialise(root)
