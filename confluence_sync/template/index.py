"""The Postmortems page: a live Page Properties Report plus metrics computed by the tool.

Confluence's report macro can list incidents but cannot aggregate, so counts, medians and the
open action items are computed here from the incident pages' properties (read back with
:func:`read_incident_record`) and written as plain tables on each sync. Medians and the 90th
percentile are shown rather than means: incident durations are heavy-tailed and few, and a mean
is dominated by the one long outage.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from confluence_sync.convert import markdown_to_storage
from confluence_sync.convert.macros import details_summary, esc, page_link, status
from confluence_sync.template.postmortem_template import IncidentStatus, PostmortemTemplate
from confluence_sync.template.records import ActionRecord, IncidentRecord
from confluence_sync.template.render import (
    NONE,
    format_duration_minutes,
    table,
    ticket_cell,
)


@dataclass(frozen=True)
class OpenAction:
    """An unfinished action item with the incident it came from."""

    incident: str
    item: ActionRecord
    overdue: bool


RESTRICTED = "restricted"


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: always a value that was actually observed."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def report_cql(template: PostmortemTemplate, space: str | None) -> str:
    cql = f'label = "{template.labels[0]}"'
    return f'{cql} and space = "{space}"' if space else cql


def open_actions(records: Sequence[IncidentRecord], today: date) -> list[OpenAction]:
    """Open items across incidents, earliest due first (undated last)."""
    found = [
        OpenAction(r.title, item, item.due is not None and item.due < today)
        for r in records
        for item in r.action_items
        if item.status.is_open
    ]
    return sorted(found, key=lambda a: (a.item.due or date.max, a.incident, a.item.title))


def _by_severity(template: PostmortemTemplate, records: Sequence[IncidentRecord]) -> str:
    counts = Counter(r.severity for r in records)
    scale = list(template.scale) + sorted(set(counts) - set(template.scale))
    return table(("Severity", "Incidents"), [(esc(s), str(counts[s])) for s in scale])


def _by_month(template: PostmortemTemplate, records: Sequence[IncidentRecord]) -> str:
    counts = Counter((r.date.strftime("%Y-%m"), r.severity) for r in records)
    months = sorted({month for month, _ in counts}, reverse=True)
    rows = [
        (
            month,
            *(str(counts[month, s]) for s in template.scale),
            str(sum(n for (m, _), n in counts.items() if m == month)),
        )
        for month in months
    ]
    return table(("Month", *template.scale, "Total"), rows)


def _response_times(records: Sequence[IncidentRecord]) -> str:
    rows = []
    for name, attr_name in (
        ("Time to Detect", "ttd_minutes"),
        ("Time to Acknowledge", "tta_minutes"),
        ("Time to Mitigate", "ttm_minutes"),
        ("Time to Resolve", "ttr_minutes"),
    ):
        values = [v for v in (getattr(r, attr_name) for r in records) if v is not None]
        rows.append(
            (
                name,
                str(len(values)),
                format_duration_minutes(median(values)),
                format_duration_minutes(percentile(values, 90)),
            )
        )
    return table(("Measure", "Incidents", "Median", "90th percentile"), rows)


def _action_table(actions: Sequence[OpenAction]) -> str:
    rows = [
        (
            page_link(a.incident),
            esc(a.item.title),
            esc(a.item.owner),
            esc(a.item.priority),
            a.item.due.isoformat() if a.item.due else "",
            ticket_cell(a.item.ticket),
            status("Overdue", "Red") if a.overdue else "",
        )
        for a in actions
    ]
    headers = ("Incident", "Action", "Owner", "Priority", "Due", "Ticket", "Overdue")
    return table(headers, rows)


def checklist_progress(record: IncidentRecord) -> str:
    """``done/total`` of the page's checklist tasks; a dash for a page without a checklist."""
    if record.checklist is None:
        return NONE
    done, total = record.checklist
    return f"{done}/{total}"


def attention(record: IncidentRecord, today: date) -> list[str]:
    """Policy rules a page edited in Confluence can break, since nothing checks it there:
    Closed with action items that have no ticket, or the meeting deadline passed before review."""
    notes = []
    if record.status == IncidentStatus.CLOSED.value and record.tickets_missing:
        notes.append(f"Closed, but {record.tickets_missing} action item(s) have no ticket")
    reviewed = record.status in (IncidentStatus.REVIEWED.value, IncidentStatus.CLOSED.value)
    if not reviewed and record.meeting_deadline is not None and record.meeting_deadline < today:
        notes.append(f"meeting deadline {record.meeting_deadline.isoformat()} has passed")
    return notes


def _progress_row(record: IncidentRecord, today: date) -> tuple[str, ...]:
    if record.restricted:  # readable by its groups only: the row says so and nothing more
        return (page_link(record.title), RESTRICTED, "", "", "")
    return (
        page_link(record.title),
        esc(record.severity),
        esc(record.status),
        checklist_progress(record),
        esc("; ".join(attention(record, today))),
    )


def _progress(records: Sequence[IncidentRecord], today: date) -> str:
    ordered = sorted(records, key=lambda r: (r.date, r.title), reverse=True)
    rows = [_progress_row(r, today) for r in ordered]
    return table(("Incident", "Severity", "Status", "Checklist", "Needs attention"), rows)


def _metrics(template: PostmortemTemplate, records: Sequence[IncidentRecord], today: date) -> str:
    records = [r for r in records if not r.restricted]  # counted nowhere a reader could infer
    if not records:
        return "<p>No incident pages yet; metrics appear here once the first one exists.</p>"
    actions = open_actions(records, today)
    overdue = sum(a.overdue for a in actions)
    parts = [
        (
            f"<p>Computed by confluence-sync from {len(records)} incident page(s). "
            "Edits to this section are replaced on the next sync.</p>"
        ),
        "<h3>Incidents by severity</h3>",
        _by_severity(template, records),
        "<h3>Incidents by month</h3>",
        _by_month(template, records),
        "<h3>Response times</h3>",
        _response_times(records),
        f"<h3>Open action items</h3><p>{len(actions)} open, {overdue} overdue.</p>",
    ]
    if actions:
        parts.append(_action_table(actions))
    return "".join(parts)


def render_postmortems_page(
    template: PostmortemTemplate,
    records: Sequence[IncidentRecord],
    *,
    today: date,
    space: str | None = None,
) -> str:
    """Storage XHTML of the Postmortems page: intro, report over every incident page (newest
    first), then the generated metrics. ``today`` decides which action items are overdue."""
    index = template.index
    report = details_summary(
        report_cql(template, space),
        headings=index.headings,
        sort_by="Date",
        reverse=True,
        first_column=index.first_column,
    )
    intro = markdown_to_storage(index.intro) if index.intro else ""
    metrics = _metrics(template, records, today)
    progress = _progress_section(records, today)
    return f"{intro}<h2>Incidents</h2>{report}{progress}<h2>Metrics</h2>{metrics}"


def _progress_section(records: Sequence[IncidentRecord], today: date) -> str:
    """Checklist progress next to each status, from the pages as of this sync (the report above
    is live, but Confluence cannot count a page's tasks into it)."""
    if not records:
        return ""
    note = "<p>Checklist progress (tasks done/total) as of the last sync.</p>"
    return f"<h3>Progress</h3>{note}{_progress(records, today)}"
