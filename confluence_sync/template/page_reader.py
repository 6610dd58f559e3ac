"""An incident page's storage, read back into the incident's fields (for ``incident pull``).

The inverse of :func:`render.render_incident`, with its template: the page-properties table gives
date, severity, status, owner, commander, responders, services and the meeting time; each
template section, found by its heading, gives its field. Values come out as plain YAML data
(strings, numbers, lists, mappings), ready to be written to an incident file.

What the page cannot give back is reported, never guessed: the milestone timestamps are shown
only as durations (``Time to Detect: 7m``), so they are not fields here; the durations and the
meeting deadline are returned as shown, for the caller to check against the timestamps it has.
Confluence's editor rewrites storage on save (``<p>`` in cells, ``<time datetime>``, ids on
macros, layouts around the page); the readers look at text and macro parameters, not markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from confluence_sync.convert import markdown_to_storage
from confluence_sync.convert.canonical import NAMESPACES, parse_storage
from confluence_sync.errors import Problem
from confluence_sync.template.page_sections import READERS, SectionRead, day, moment
from confluence_sync.template.postmortem_template import IncidentStatus, PostmortemTemplate, Section
from confluence_sync.template.records import plain_text, read_checklist, read_properties
from confluence_sync.template.render import CHECKLIST_HEADING, NONE

AC = NAMESPACES["ac"]
_MACRO = f"{{{AC}}}structured-macro"
_LAYOUT_PARTS = frozenset(f"{{{AC}}}{n}" for n in ("layout", "layout-section", "layout-cell"))
_MEETING = re.compile(r"\(meeting (\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2})(?::\d{2})? ?UTC\)")
COMPUTED_PROPERTIES = (
    "Duration",
    "Time to Detect",
    "Time to Acknowledge",
    "Time to Mitigate",
    "Time to Resolve",
    "Meeting Deadline",
)
"""Shown on the page but computed from other fields: checked by the caller, never read."""


@dataclass(frozen=True)
class PageReading:
    """An incident page read back: field → YAML value for every field the page shows (and could
    be read), the computed properties as shown, the ticked checklist tasks, and what was not
    read (warnings naming the field)."""

    fields: Mapping[str, Any]
    shown: Mapping[str, str]
    problems: tuple[Problem, ...]
    checklist: tuple[int, int] | None = None


def read_incident_page(
    template: PostmortemTemplate, title: str, storage: str, *, where: str | None = None
) -> PageReading:
    """Read an incident page rendered from ``template`` (and maybe edited in the wiki since)."""
    read = SectionRead(where or f"page '{title}'")
    root = parse_storage(storage)
    fields: dict[str, Any] = {}
    fields.update(_title_and_date(template, title, read))
    props = read_properties(root)
    fields.update(_properties(template, props, read))
    sections = _sections(top_blocks(root))
    known = {_fold(s.heading) for s in template.sections} | {_fold(CHECKLIST_HEADING)}
    for heading in sections:
        if heading and heading not in known:
            read.warn("page", f"heading {heading!r} is not a template section; not read")
    for section in template.sections:
        blocks = sections.get(_fold(section.heading))
        if blocks is None:
            read.warn(section.field, f"no {section.heading!r} heading on the page; not read")
            continue
        blocks = _without_generated(template, section, blocks)
        hint = section.placeholder or f"Replace this with the {section.heading.lower()}."
        fields[section.field] = READERS[section.kind](blocks, hint, read, section.field)
    shown = {key: props[key] for key in COMPUTED_PROPERTIES if key in props}
    return PageReading(fields, shown, tuple(read.problems), read_checklist(root))


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _title_and_date(template: PostmortemTemplate, title: str, read: SectionRead) -> dict[str, Any]:
    """The title (and date, if the pattern holds it) from the page title."""
    pattern = re.escape(template.title_pattern)
    pattern = pattern.replace(re.escape("{date}"), r"(?P<date>\d{4}-\d{2}-\d{2})", 1)
    pattern = pattern.replace(re.escape("{title}"), r"(?P<title>.+?)", 1)
    match = re.fullmatch(pattern, title.strip())
    if match is None:
        read.warn("title", f"page title {title!r} does not follow {template.title_pattern!r}")
        return {}
    return {k: v for k, v in match.groupdict().items() if v}


def _properties(
    template: PostmortemTemplate, props: Mapping[str, str], read: SectionRead
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in template.properties:
        if key not in props:
            read.warn(key, "not in the page-properties table; not read")
        elif key not in COMPUTED_PROPERTIES:
            _property(template, key, props[key], fields, read)
    if "Meeting Deadline" in props:
        meeting = _MEETING.search(props["Meeting Deadline"])
        fields["meeting_at"] = moment(meeting.group(1)) if meeting else None
    return fields


def _property(
    template: PostmortemTemplate, key: str, value: str, fields: dict[str, Any], read: SectionRead
) -> None:
    """One property cell into its field; a value the field cannot take is reported."""
    empty = value in ("", NONE)
    if key == "Date":
        found = day(value)
        if found is None or ("date" in fields and fields["date"] != found):
            read.warn("date", f"{value!r} is not the date in the page title; not read")
        else:
            fields["date"] = found
    elif key == "Severity":
        if value in template.scale:
            fields["severity"] = value
        else:
            read.warn("severity", f"{value!r} is not on the scale ({', '.join(template.scale)})")
    elif key == "Status":
        names = [s.value for s in IncidentStatus]
        match = next((n for n in names if n.casefold() == value.casefold()), None)
        if match is None:
            read.warn("status", f"{value!r} is not one of {', '.join(names)}; not read")
        else:
            fields["status"] = match
    elif key == "Owner":
        if empty:
            read.warn("owner", "empty on the page; not read")
        else:
            fields["owner"] = value
    elif key == "Incident Commander":
        fields["incident_commander"] = None if empty else value
    elif key in ("Responders", "Services"):
        fields[key.lower()] = [] if empty else [v.strip() for v in value.split(",") if v.strip()]


def top_blocks(root: etree._Element) -> list[etree._Element]:
    """The page's top-level blocks, looking through the editor's layouts."""
    out: list[etree._Element] = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _LAYOUT_PARTS:
            out.extend(top_blocks(child))
        else:
            out.append(child)
    return out


def _sections(blocks: list[etree._Element]) -> dict[str, list[etree._Element]]:
    """Folded ``<h1>``/``<h2>`` heading text → the blocks under it ("" holds those before any)."""
    sections: dict[str, list[etree._Element]] = {"": []}
    current = ""
    for block in blocks:
        if block.tag in ("h1", "h2"):
            current = _fold(plain_text(block))
            sections.setdefault(current, [])
        else:
            sections[current].append(block)
    return sections


def _without_generated(
    template: PostmortemTemplate, section: Section, blocks: list[etree._Element]
) -> list[etree._Element]:
    """Drop what ``render.py`` adds around a section: its guidance panel and the ticket rule."""
    guidance = _plain(markdown_to_storage(section.guidance)) if section.guidance else None
    rule = f"Every action item gets a ticket labelled {template.policy.ticket_label}."

    def generated(block: etree._Element) -> bool:
        if block.tag == _MACRO and block.get(f"{{{AC}}}name") == "info":
            return guidance is not None and plain_text(block) == guidance
        return block.tag == "p" and plain_text(block) == rule

    return [b for b in blocks if not generated(b)]


def _plain(storage: str) -> str:
    return plain_text(parse_storage(storage))
