"""Storage XHTML for incident pages and for the blank template page.

Both go through one layout function (:func:`_layout`): the template page is simply an incident
page on which every property is a placeholder and every section is empty. That is what keeps a
page copied by hand from the template identical in shape to one made by ``incident new``, and
what lets the index read both the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta

from confluence_sync.convert import markdown_to_storage
from confluence_sync.convert.macros import attr, details, esc, jira, panel, status, task_list
from confluence_sync.template.incident_model import ActionItem, Impact, Incident, TimelineEntry
from confluence_sync.template.postmortem_template import (
    ActionStatus,
    IncidentStatus,
    PostmortemTemplate,
    Section,
    SectionKind,
)

NONE = "\u2014"  # shown in a property cell that has no value yet
CHECKLIST_HEADING = "Checklist"  # records.py counts the tasks under this heading
TIMELINE_COLUMNS = ("Time (UTC)", "Event", "Link")
ACTION_COLUMNS = ("Action", "Type", "Owner", "Priority", "Due", "Ticket", "Status")
STATUS_COLOURS = {
    IncidentStatus.DRAFT: "Grey",
    IncidentStatus.IN_REVIEW: "Yellow",
    IncidentStatus.REVIEWED: "Blue",
    IncidentStatus.CLOSED: "Green",
}
ACTION_STATUS_TEXT = {
    ActionStatus.OPEN: ("Open", "Grey"),
    ActionStatus.IN_PROGRESS: ("In Progress", "Blue"),
    ActionStatus.DONE: ("Done", "Green"),
    ActionStatus.WONT_DO: ("Won't Do", "Purple"),
}
_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
_ONE_PARAGRAPH = re.compile(r"^<p>((?:(?!</?p>).)*)</p>$", re.DOTALL)


def incident_title(template: PostmortemTemplate, date: date, title: str) -> str:
    """The page title, e.g. ``2026-11-27 Checkout API outage``."""
    return template.title_pattern.format(date=date.isoformat(), title=title.strip())


def slug(text: str) -> str:
    """A Confluence label: lower case, no spaces (Confluence would split or reject them)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


RESTRICTED_LABEL = "restricted"  # a restricted incident: the index shows its title only


def incident_labels(template: PostmortemTemplate, incident: Incident) -> tuple[str, ...]:
    """Template labels, the severity (``sev-2``), the year and each service, without repeats;
    ``restricted`` on a page with restricted groups (the index reads labels, not bodies)."""
    raw = [*template.labels, slug(incident.severity), str(incident.date.year)]
    raw += [slug(s) for s in incident.services]
    raw += [RESTRICTED_LABEL] if incident.restricted_groups else []
    return tuple(dict.fromkeys(label for label in raw if label))


def format_duration(value: timedelta | None) -> str:
    """``1h 06m`` style, rounded to the minute; the index parses this form back."""
    if value is None:
        return NONE
    minutes = max(0, round(value.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {mins:02d}m"
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def format_duration_minutes(minutes: float | None) -> str:
    return format_duration(timedelta(minutes=minutes) if minutes is not None else None)


def format_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def severity_colour(template: PostmortemTemplate, severity: str) -> str:
    """Red for severities that require a postmortem, yellow for the next one, grey below."""
    if severity in template.policy.required_for:
        return "Red"
    scale = template.scale
    worst_optional = next((s for s in scale if s not in template.policy.required_for), None)
    return "Yellow" if severity == worst_optional else "Grey"


def markdown_inline(text: str) -> str:
    """Markdown for a table cell or list item: a lone paragraph is unwrapped."""
    xhtml = markdown_to_storage(text).strip()
    match = _ONE_PARAGRAPH.match(xhtml)
    return match.group(1) if match else xhtml


def link_cell(target: str | None) -> str:
    if not target:
        return ""
    if target.startswith(("http://", "https://")):
        return f'<a href="{attr(target)}">{esc(target)}</a>'
    return markdown_inline(target)


def ticket_cell(ticket: str | None) -> str:
    """Issue keys become Jira macros (live status in Confluence); URLs stay plain links."""
    if not ticket:
        return ""
    return jira(ticket) if _ISSUE_KEY.match(ticket) else link_cell(ticket)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A header row plus body rows; cells are storage fragments built by the caller."""
    head = "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tbody>{head}{body}</tbody></table>"


# --- the properties table -------------------------------------------------------------------


def incident_properties(template: PostmortemTemplate, incident: Incident) -> dict[str, str]:
    deadline = incident.meeting_deadline(template).isoformat()
    if incident.meeting_at is not None:
        deadline += f" (meeting {format_utc(incident.meeting_at)} UTC)"
    return {
        "Date": incident.date.isoformat(),
        "Severity": status(incident.severity, severity_colour(template, incident.severity)),
        "Status": status(incident.status.value, STATUS_COLOURS[incident.status]),
        "Owner": esc(incident.owner),
        "Incident Commander": esc(incident.incident_commander or NONE),
        "Responders": esc(", ".join(incident.responders) or NONE),
        "Services": esc(", ".join(incident.services) or NONE),
        "Duration": format_duration(incident.duration),
        "Time to Detect": format_duration(incident.time_to_detect),
        "Time to Acknowledge": format_duration(incident.time_to_acknowledge),
        "Time to Mitigate": format_duration(incident.time_to_mitigate),
        "Time to Resolve": format_duration(incident.time_to_resolve),
        "Meeting Deadline": esc(deadline),
    }


def placeholder_properties(template: PostmortemTemplate) -> dict[str, str]:
    computed = "computed from the timestamps, e.g. 1h 05m"
    days = template.policy.meeting_days("")
    return {
        "Date": "YYYY-MM-DD",
        "Severity": status("SEV-?"),
        "Status": status(IncidentStatus.DRAFT.value, STATUS_COLOURS[IncidentStatus.DRAFT]),
        "Owner": "Your name",
        "Incident Commander": "Name",
        "Responders": "Name, Name",
        "Services": "service-name",
        "Duration": computed,
        "Time to Detect": computed,
        "Time to Acknowledge": computed,
        "Time to Mitigate": computed,
        "Time to Resolve": computed,
        "Meeting Deadline": f"YYYY-MM-DD ({days} days after the incident ended)",
    }


# --- sections, filled ------------------------------------------------------------------------


def _text(value: str) -> str | None:
    return markdown_to_storage(value) if value else None


def _list(items: Sequence[str]) -> str | None:
    if not items:
        return None
    return "<ul>" + "".join(f"<li>{markdown_inline(item)}</li>" for item in items) + "</ul>"


def _timeline(entries: Sequence[TimelineEntry]) -> str | None:
    if not entries:
        return None
    rows = [(format_utc(e.at), markdown_inline(e.event), link_cell(e.link)) for e in entries]
    return table(TIMELINE_COLUMNS, rows)


def _action_row(item: ActionItem) -> tuple[str, ...]:
    text, colour = ACTION_STATUS_TEXT[item.status]
    due = item.due.isoformat() if item.due else ""
    return (
        markdown_inline(item.title),
        item.type.value,
        esc(item.owner),
        item.priority.value,
        due,
        ticket_cell(item.ticket),
        status(text, colour),
    )


def _action_items(items: Sequence[ActionItem]) -> str | None:
    return table(ACTION_COLUMNS, [_action_row(i) for i in items]) if items else None


def _impact_rows(impact: Impact) -> list[tuple[str, str]]:
    rows = [
        ("Users affected", impact.users),
        ("Accounts affected", impact.accounts),
        ("Support requests", impact.support_requests),
    ]
    rows += [(f"Minutes at {sev}", n) for sev, n in impact.minutes.items()]
    return [(esc(name), str(value)) for name, value in rows if value is not None]


def _impact(impact: Impact | None) -> str | None:
    if impact is None or impact.is_empty():
        return None
    parts = [markdown_to_storage(impact.text)] if impact.text else []
    rows = _impact_rows(impact)
    if rows:
        parts.append(table(("Measure", "Value"), rows))
    return "".join(parts)


SECTION_RENDERERS: Mapping[SectionKind, Callable[[object], str | None]] = {
    SectionKind.TEXT: _text,  # type: ignore[dict-item]
    SectionKind.LIST: _list,  # type: ignore[dict-item]
    SectionKind.TIMELINE: _timeline,  # type: ignore[dict-item]
    SectionKind.ACTION_ITEMS: _action_items,  # type: ignore[dict-item]
    SectionKind.IMPACT: _impact,  # type: ignore[dict-item]
}


# --- sections, empty -------------------------------------------------------------------------


def _placeholder(template: PostmortemTemplate, section: Section) -> str:
    """Same structure as the filled section, so a hand-filled page matches a generated one."""
    hint = esc(section.placeholder or f"Replace this with the {section.heading.lower()}.")
    kind = section.kind
    if kind is SectionKind.LIST:
        return f"<ul><li>{hint}</li></ul>"
    if kind is SectionKind.TIMELINE:
        return table(TIMELINE_COLUMNS, [("YYYY-MM-DD HH:MM", hint, "https://")])
    if kind is SectionKind.ACTION_ITEMS:
        text, colour = ACTION_STATUS_TEXT[ActionStatus.OPEN]
        row = (hint, "prevent", "Name", "P2", "YYYY-MM-DD", "OPS-123", status(text, colour))
        return table(ACTION_COLUMNS, [row])
    if kind is SectionKind.IMPACT:
        names = ["Users affected", "Accounts affected", "Support requests"]
        names += [f"Minutes at {sev}" for sev in template.policy.required_for]
        return f"<p>{hint}</p>" + table(("Measure", "Value"), [(esc(n), "?") for n in names])
    return f"<p>{hint}</p>"


def _guidance(section: Section) -> str:
    return panel("info", markdown_to_storage(section.guidance)) if section.guidance else ""


# --- pages -----------------------------------------------------------------------------------


def _layout(
    template: PostmortemTemplate,
    props: Mapping[str, str],
    filled: Mapping[str, str | None],
) -> str:
    """The one page layout: properties table, then each section (content, or guidance and a
    placeholder when it has no content), then the checklist."""
    parts = [details([(key, props[key]) for key in template.properties])]
    for section in template.sections:
        parts.append(f"<h2>{esc(section.heading)}</h2>")
        body = filled.get(section.field)
        if body is None:
            parts.append(_guidance(section) + _placeholder(template, section))
        else:
            parts.append(body)
        if section.kind is SectionKind.ACTION_ITEMS:
            parts.append(_ticket_rule(template))
    parts.append(_checklist(template))
    return "".join(parts)


def _checklist(template: PostmortemTemplate) -> str:
    """The policy checklist, one list of open native tasks per phase, on incident pages and on
    the template page alike: a team that copies the template page by hand (Confluence's Copy)
    gets tasks to tick, and the Postmortems page reads their progress back the same way."""
    if not template.checklist:
        return ""
    note = "Tick each task when it is done; the Postmortems page shows the progress."
    parts = [f"<h2>{esc(CHECKLIST_HEADING)}</h2>", f"<p>{note}</p>"]
    for phase in template.checklist:
        items = [markdown_inline(item) for item in phase.items]
        parts.append(f"<h3>{esc(phase.phase)}</h3>")
        parts.append(task_list([(False, item) for item in items]))
    return "".join(parts)


def _ticket_rule(template: PostmortemTemplate) -> str:
    """The policy's ticket label, on every page, so follow-ups stay findable in the tracker."""
    label = esc(template.policy.ticket_label)
    return f"<p>Every action item gets a ticket labelled <code>{label}</code>.</p>"


def render_incident(template: PostmortemTemplate, incident: Incident) -> str:
    """Storage XHTML of an incident page; empty sections keep their guidance and placeholder."""
    filled = {
        s.field: SECTION_RENDERERS[s.kind](getattr(incident, s.field)) for s in template.sections
    }
    return _layout(template, incident_properties(template, incident), filled)


def render_template_page(template: PostmortemTemplate) -> str:
    """Storage XHTML of the blank template page: every section shows guidance and placeholder,
    and the checklist is open native tasks, so a hand-made copy of the page has them too."""
    return _layout(template, placeholder_properties(template), {})
