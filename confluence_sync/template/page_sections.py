"""Reading each section of an incident page back into the value of its incident field.

The inverse of the section half of ``render.py``: paragraphs become Markdown text, bullet lists
become lists of Markdown items, the timeline and action-items tables become lists of mappings.
The guidance panel and placeholder that ``render.py`` writes into an empty section are dropped, so
an untouched empty section reads back as empty. Anything that does not fit the field's shape is
reported as a :class:`Problem` naming the field, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from lxml import etree

from confluence_sync.convert.canonical import NAMESPACES
from confluence_sync.errors import Problem
from confluence_sync.reverse import storage_to_markdown
from confluence_sync.template.postmortem_template import ActionType, Priority, SectionKind
from confluence_sync.template.records import ACTION_STATUS_BY_TEXT, parse_date, plain_text

AC = NAMESPACES["ac"]
_MACRO = f"{{{AC}}}structured-macro"
_NAME = f"{{{AC}}}name"
_PARAM = f"{{{AC}}}parameter"
_NS_DECL = re.compile(r'\s+xmlns:\w+="[^"]*"')
_MINUTE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::\d{2})?(?:Z| ?UTC)?$")
_IMPACT_ROWS = {
    "users affected": "users",
    "accounts affected": "accounts",
    "support requests": "support_requests",
}
PLACEHOLDER_CELLS = frozenset({"YYYY-MM-DD HH:MM", "YYYY-MM-DD", "?"})


@dataclass
class SectionRead:
    """What one section gave: the field's value (absent when nothing could be read), problems."""

    where: str  # the page, as problems name it
    problems: list[Problem] = field(default_factory=list)

    def warn(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.where, f"{name}: {message}", level="warning"))


# --- small readers -------------------------------------------------------------------------


def fragment(elements: Sequence[etree._Element]) -> str:
    """Storage of some elements, without the namespace declarations lxml adds to each."""
    return "".join(
        _NS_DECL.sub("", etree.tostring(e, encoding=str, with_tail=False)) for e in elements
    )


def inner(element: etree._Element) -> str:
    """Storage of an element's content (its text and children), without the element itself."""
    head = _escape(element.text or "")
    return head + "".join(
        _NS_DECL.sub("", etree.tostring(c, encoding=str, with_tail=True)) for c in element
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_of(storage: str, read: SectionRead, name: str) -> str:
    """Markdown of a block fragment; the reverse renderer's warnings name the field."""
    result = storage_to_markdown(storage, source=read.where)
    for warning in result.warnings:
        read.warn(name, warning.message)
    for refusal in result.refusals:  # kept as text or left out: the file never gets it
        read.warn(name, f"refused: {refusal}")
    return result.markdown.strip()


def inline_markdown(cell: etree._Element, read: SectionRead, name: str) -> str:
    """Markdown of a cell or list item: one paragraph, whether or not the editor wrapped it."""
    blocks = [c for c in cell if c.tag in ("p", "ul", "ol", "table", _MACRO)]
    body = inner(cell) if blocks else f"<p>{inner(cell)}</p>"
    return markdown_of(body, read, name)


def _macro_param(macro: etree._Element, name: str) -> str:
    for param in macro.iter(_PARAM):
        if param.get(_NAME) == name:
            return "".join(str(t) for t in param.itertext()).strip()
    return ""


def link_value(cell: etree._Element, read: SectionRead, name: str) -> str | None:
    """A link cell: a bare URL when the cell is one link showing its own address."""
    text = plain_text(cell)
    if not text:
        return None
    anchors = list(cell.iter("a"))
    if len(anchors) == 1 and anchors[0].get("href") == text:
        return text
    return inline_markdown(cell, read, name)


def ticket_value(cell: etree._Element) -> str | None:
    """An issue key from a Jira macro, a URL from a link, or the cell's text."""
    for macro in cell.iter(_MACRO):
        if macro.get(_NAME) == "jira":
            return _macro_param(macro, "key") or None
    anchors = list(cell.iter("a"))
    if len(anchors) == 1 and anchors[0].get("href"):
        return anchors[0].get("href")
    return plain_text(cell) or None


def moment(text: str) -> str | None:
    """``2026-11-20 14:02`` (as rendered; the editor may add seconds or a zone) → ISO UTC."""
    match = _MINUTE.match(text.strip())
    if not match:
        return None
    try:
        when = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    except ValueError:
        return None
    return when.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(text: str) -> str | None:
    found: date | None = parse_date(text)
    return found.isoformat() if found is not None else None


def _rows(table: etree._Element) -> list[list[etree._Element]]:
    return [[c for c in tr if c.tag in ("th", "td")] for tr in table.iter("tr")]


def table_rows(table: etree._Element) -> tuple[list[str], list[list[etree._Element]]]:
    """(header texts, body rows); body rows with no cells are left out."""
    rows = [r for r in _rows(table) if r]
    if not rows:
        return [], []
    return [plain_text(c) for c in rows[0]], rows[1:]


# --- one reader per section kind -----------------------------------------------------------


def read_text(blocks: list[etree._Element], hint: str, read: SectionRead, name: str) -> str:
    kept = [b for b in blocks if not (b.tag == "p" and plain_text(b) == hint)]
    return markdown_of(fragment(kept), read, name) if kept else ""


def read_list(blocks: list[etree._Element], hint: str, read: SectionRead, name: str) -> list[str]:
    items: list[str] = []
    for block in blocks:
        if block.tag not in ("ul", "ol"):
            if plain_text(block) and plain_text(block) != hint:
                read.warn(name, f"text outside the list is not read: {plain_text(block)[:60]!r}")
            continue
        for li in (c for c in block if c.tag == "li"):
            if plain_text(li) != hint and plain_text(li):
                items.append(inline_markdown(li, read, f"{name}[{len(items)}]"))
    return items


def _tables(blocks: list[etree._Element], read: SectionRead, name: str) -> list[etree._Element]:
    """The section's tables; text around them (other than the hint) is reported."""
    tables = [b for b in blocks if b.tag == "table"]
    if len(tables) > 1:
        read.warn(name, f"{len(tables)} tables under the heading; only the first is read")
    return tables[:1]


def read_timeline(
    blocks: list[etree._Element], hint: str, read: SectionRead, name: str
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for table in _tables(blocks, read, name):
        header, rows = table_rows(table)
        column = {h: i for i, h in enumerate(header)}
        for row in rows:
            entry = _timeline_entry(row, column, read, f"{name}[{len(entries)}]")
            if entry is not None:
                entries.append(entry)
    return entries


def _cell(row: list[etree._Element], column: Mapping[str, int], name: str) -> etree._Element:
    i = column.get(name)
    return row[i] if i is not None and i < len(row) else etree.Element("td")


def _timeline_entry(
    row: list[etree._Element], column: Mapping[str, int], read: SectionRead, name: str
) -> dict[str, Any] | None:
    at_text = plain_text(_cell(row, column, "Time (UTC)"))
    if at_text in PLACEHOLDER_CELLS or not (at_text or plain_text(_cell(row, column, "Event"))):
        return None
    at = moment(at_text)
    if at is None:
        read.warn(f"{name}.at", f"{at_text!r} is not a time like 2026-11-20 14:02; row not read")
        return None
    entry: dict[str, Any] = {"at": at}
    entry["event"] = inline_markdown(_cell(row, column, "Event"), read, f"{name}.event")
    link = link_value(_cell(row, column, "Link"), read, f"{name}.link")
    if link:
        entry["link"] = link
    return entry


def read_action_items(
    blocks: list[etree._Element], hint: str, read: SectionRead, name: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for table in _tables(blocks, read, name):
        header, rows = table_rows(table)
        column = {h: i for i, h in enumerate(header)}
        for row in rows:
            item = _action_item(row, column, read, f"{name}[{len(items)}]")
            if item is not None:
                items.append(item)
    return items


def _action_item(
    row: list[etree._Element], column: Mapping[str, int], read: SectionRead, name: str
) -> dict[str, Any] | None:
    def text(key: str) -> str:
        return plain_text(_cell(row, column, key))

    if text("Due") in PLACEHOLDER_CELLS or not text("Action"):
        return None  # the placeholder row, or an empty row the editor left
    item: dict[str, Any] = {"title": inline_markdown(_cell(row, column, "Action"), read, name)}
    item["owner"] = text("Owner")
    item["type"] = _choice(text("Type").lower(), [t.value for t in ActionType], read, name, "type")
    item["priority"] = _choice(
        text("Priority").upper(), [p.value for p in Priority], read, name, "priority"
    )
    item["due"] = day(text("Due")) if text("Due") else None
    item["ticket"] = ticket_value(_cell(row, column, "Ticket"))
    status = ACTION_STATUS_BY_TEXT.get(text("Status").lower())
    if status is None:
        read.warn(f"{name}.status", f"{text('Status')!r} is not an action-item status; not read")
    item["status"] = status.value if status is not None else None
    return {k: v for k, v in item.items() if v is not None}


def _choice(
    value: str, allowed: Sequence[str], read: SectionRead, name: str, key: str
) -> str | None:
    if value in allowed:
        return value
    read.warn(f"{name}.{key}", f"{value!r} is not one of {', '.join(allowed)}; not read")
    return None


def read_impact(
    blocks: list[etree._Element], hint: str, read: SectionRead, name: str
) -> dict[str, Any]:
    tables = [b for b in blocks if b.tag == "table"]
    prose = [b for b in blocks if b.tag != "table" and not (b.tag == "p" and plain_text(b) == hint)]
    impact: dict[str, Any] = {}
    text = markdown_of(fragment(prose), read, f"{name}.text") if prose else ""
    if text:
        impact["text"] = text
    for table in tables[:1]:
        for row in table_rows(table)[1]:
            _impact_row([plain_text(c) for c in row], impact, read, name)
    return impact


def _impact_row(cells: list[str], impact: dict[str, Any], read: SectionRead, name: str) -> None:
    if len(cells) < 2 or cells[1] in PLACEHOLDER_CELLS or not cells[1]:
        return
    measure, value = cells[0], cells[1].replace(",", "")
    if not value.isdigit():
        read.warn(f"{name}", f"{measure}: {cells[1]!r} is not a whole number; not read")
        return
    key = _IMPACT_ROWS.get(measure.lower())
    if key is not None:
        impact[key] = int(value)
    elif measure.startswith("Minutes at "):
        impact.setdefault("minutes", {})[measure.removeprefix("Minutes at ")] = int(value)
    else:
        read.warn(name, f"measure {measure!r} is not one the incident file has; not read")


READERS: Mapping[SectionKind, Callable[[list[etree._Element], str, SectionRead, str], Any]] = {
    SectionKind.TEXT: read_text,
    SectionKind.LIST: read_list,
    SectionKind.TIMELINE: read_timeline,
    SectionKind.ACTION_ITEMS: read_action_items,
    SectionKind.IMPACT: read_impact,
}
