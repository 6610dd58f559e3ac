"""Reading an incident page back from storage XHTML: its properties and action items.

The postmortems index is computed from what the wiki holds, not from the repo: people edit
incident pages in Confluence (status, tickets, action-item progress). Confluence rewrites storage
on save (adds ``ac:macro-id`` and ``local-id`` attributes, wraps cells in ``<p>`` and keys in
``<strong>``, turns dates into ``<time>``), so the reader looks at text and macro parameters only,
never at exact markup.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from lxml import etree

# canonical's parser already copes with named HTML entities, CDATA and broken markup, and
# never returns None (an unreadable body is an empty root); a second copy here would drift.
from confluence_sync.convert.canonical import NAMESPACES, parse_storage
from confluence_sync.template.postmortem_template import ActionStatus
from confluence_sync.template.render import ACTION_STATUS_TEXT, CHECKLIST_HEADING

log = logging.getLogger(__name__)
Day = date  # ``IncidentRecord.date`` shadows the type inside the class body

AC = NAMESPACES["ac"]
_MACRO = f"{{{AC}}}structured-macro"
_NAME = f"{{{AC}}}name"
_PARAM = f"{{{AC}}}parameter"
_RICH_BODY = f"{{{AC}}}rich-text-body"
_TASK_STATUS = f"{{{AC}}}task-status"
_TOP_HEADINGS = ("h1", "h2")
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_DURATION = re.compile(r"^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$")
ACTION_STATUS_BY_TEXT = {text.lower(): s for s, (text, _) in ACTION_STATUS_TEXT.items()} | {
    s.value: s for s in ActionStatus
}


@dataclass(frozen=True)
class ActionRecord:
    """One row of an incident page's action-items table."""

    title: str
    owner: str
    priority: str
    due: date | None
    status: ActionStatus
    ticket: str = ""


@dataclass(frozen=True)
class IncidentRecord:
    """What the index needs from one incident page (durations in whole minutes)."""

    title: str
    date: date
    severity: str
    status: str
    owner: str = ""
    ttd_minutes: int | None = None
    ttm_minutes: int | None = None
    ttr_minutes: int | None = None
    action_items: tuple[ActionRecord, ...] = ()
    tta_minutes: int | None = None
    meeting_deadline: Day | None = None
    checklist: tuple[int, int] | None = None  # (done, total); None: the page has no checklist
    restricted: bool = False  # only its title is shown; nothing of it is counted or listed

    @property
    def tickets_missing(self) -> int:
        """Action items without a ticket: a Closed page with any breaks the policy."""
        return sum(1 for item in self.action_items if not item.ticket)


def _macros(root: etree._Element, name: str) -> Iterator[etree._Element]:
    return (m for m in root.iter(_MACRO) if m.get(_NAME) == name)


def _param(macro: etree._Element, name: str) -> str:
    for param in macro.iter(_PARAM):
        if param.get(_NAME) == name:
            return "".join(str(t) for t in param.itertext()).strip()
    return ""


def plain_text(element: etree._Element) -> str:
    """Visible text of a cell: status lozenges by title, Jira macros by key, ``<time>`` by date."""
    parts: list[str] = []
    _collect(element, parts, top=True)
    return " ".join("".join(parts).split())


def _collect(element: etree._Element, parts: list[str], *, top: bool = False) -> None:
    if element.tag == _MACRO:
        name = element.get(_NAME)
        if name in ("status", "jira"):
            parts.append(_param(element, "title" if name == "status" else "key"))
        for body in element.iter(_RICH_BODY):  # other macros: only their visible body
            _collect(body, parts, top=True)
            break
    elif element.tag == "time":
        parts.append(element.get("datetime", ""))
    else:
        parts.append(element.text or "")
        for child in element:
            _collect(child, parts)
    if not top:
        parts.append(element.tail or "")


def parse_date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def parse_minutes(text: str) -> int | None:
    """Minutes from ``2d 3h 05m`` / ``1h 06m`` / ``7m``; None for a dash or free text."""
    match = _DURATION.match(text.strip())
    if not text.strip() or not match or not any(match.groups()):
        return None
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return (days * 24 + hours) * 60 + minutes


def _rows(table: etree._Element) -> list[list[etree._Element]]:
    return [[c for c in tr if c.tag in ("th", "td")] for tr in table.iter("tr")]


def read_properties(root: etree._Element) -> dict[str, str]:
    """Key → text of the first page-properties (``details``) table on the page."""
    macro = next(_macros(root, "details"), None)
    if macro is None:
        return {}
    return {
        plain_text(cells[0]): plain_text(cells[1])
        for cells in _rows(macro)
        if len(cells) >= 2 and plain_text(cells[0])
    }


def read_action_items(root: etree._Element) -> tuple[ActionRecord, ...]:
    """Rows of the table whose header has Action, Due and Status columns; placeholder rows
    (due still ``YYYY-MM-DD``) are skipped so an unfilled page has no open items."""
    for table in root.iter("table"):
        rows = _rows(table)
        header = [plain_text(c) for c in rows[0]] if rows else []
        if {"Action", "Due", "Status"} <= set(header):
            column = {name: i for i, name in enumerate(header)}
            return tuple(r for r in (_action(row, column) for row in rows[1:]) if r is not None)
    return ()


def _action(cells: list[etree._Element], column: dict[str, int]) -> ActionRecord | None:
    def cell(name: str) -> str:
        i = column.get(name)
        return plain_text(cells[i]) if i is not None and i < len(cells) else ""

    if cell("Due") == "YYYY-MM-DD" or not cell("Action"):
        return None
    status = ACTION_STATUS_BY_TEXT.get(cell("Status").lower(), ActionStatus.OPEN)
    return ActionRecord(
        title=cell("Action"),
        owner=cell("Owner"),
        priority=cell("Priority"),
        due=parse_date(cell("Due")),
        status=status,
        ticket=cell("Ticket"),
    )


def read_checklist(root: etree._Element) -> tuple[int, int] | None:
    """(done, total) of the tasks under the Checklist heading, up to the next heading of the same
    rank, in document order: Confluence may wrap the page in layouts, so siblings are not enough.
    Tasks people add elsewhere on the page are their own and are not counted."""
    inside, found, done, total = False, False, 0, 0
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _TOP_HEADINGS:
            inside = plain_text(element) == CHECKLIST_HEADING
            found = found or inside
        elif inside and tag == _TASK_STATUS:
            total += 1
            done += "".join(str(t) for t in element.itertext()).strip() == "complete"
    return (done, total) if found else None


def restricted_record(title: str) -> IncidentRecord | None:
    """The index's view of a restricted incident page: its title and date, nothing of its
    body, which the index (readable by the whole space) must not leak."""
    when = parse_date(title)
    return None if when is None else IncidentRecord(title, when, "", "", restricted=True)


def read_incident_record(title: str, storage: str) -> IncidentRecord | None:
    """The index's view of one incident page, or None when it has no dated properties table
    (the blank template page, or a page someone restructured beyond recognition)."""
    root = parse_storage(storage)  # unparseable storage gives an empty root: no properties
    props = read_properties(root)
    when = parse_date(props.get("Date", ""))
    if when is None:
        log.debug("page %r has no dated page-properties table; left out of the index", title)
        return None
    return IncidentRecord(
        title=title,
        date=when,
        severity=props.get("Severity", ""),
        status=props.get("Status", ""),
        owner=props.get("Owner", ""),
        ttd_minutes=parse_minutes(props.get("Time to Detect", "")),
        ttm_minutes=parse_minutes(props.get("Time to Mitigate", "")),
        ttr_minutes=parse_minutes(props.get("Time to Resolve", "")),
        action_items=read_action_items(root),
        tta_minutes=parse_minutes(props.get("Time to Acknowledge", "")),
        meeting_deadline=parse_date(props.get("Meeting Deadline", "")),
        checklist=read_checklist(root),
    )
