"""The postmortems index: reading incident pages back, metrics, and the report in the local wiki."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import requests
from atlassian import Confluence

from confluence_sync.localwiki import LocalWiki
from confluence_sync.template import (
    ActionStatus,
    Incident,
    PostmortemTemplate,
    incident_labels,
    incident_title,
    load_incident,
    load_template,
    new_incident,
    read_incident_record,
    render_incident,
    render_postmortems_page,
    render_template_page,
)
from confluence_sync.template.index import median, open_actions, percentile
from confluence_sync.template.records import ActionRecord, IncidentRecord

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def template() -> PostmortemTemplate:
    return load_template(ROOT / "content" / "template" / "postmortem.yaml")


@pytest.fixture(scope="module")
def example(template: PostmortemTemplate) -> Incident:
    return load_incident(ROOT / "content" / "incidents" / "example.yaml", template)


def _record(day: str, severity: str, ttd: int | None, *items: ActionRecord) -> IncidentRecord:
    when = date.fromisoformat(day)
    return IncidentRecord(f"{day} Incident", when, severity, "Draft", "A", ttd, ttd, ttd, items)


def test_record_round_trip(template: PostmortemTemplate, example: Incident) -> None:
    record = read_incident_record(
        "2026-11-20 Checkout API outage", render_incident(template, example)
    )
    assert record is not None
    assert (record.date, record.severity, record.status, record.owner) == (
        date(2026, 11, 20),
        "SEV-2",
        "In Review",
        "Alex Kim",
    )
    assert (record.ttd_minutes, record.ttm_minutes, record.ttr_minutes) == (7, 46, 123)
    assert [(a.ticket, a.status, a.due) for a in record.action_items] == [
        (i.ticket or "", i.status, i.due) for i in example.action_items
    ]


def _confluence_rewrite(storage: str) -> str:
    """What Confluence does to storage on save: macro ids and schema versions, ``<p>`` around
    cell content, ``<strong>`` around keys, column groups, ``&nbsp;`` and ``<time>`` dates."""
    out = re.sub(
        r'<ac:structured-macro ac:name="(\w+)">',
        r'<ac:structured-macro ac:name="\1" ac:schema-version="1" ac:macro-id="0f3e-\1">',
        storage,
    )
    out = re.sub(r"<th>(.*?)</th>", r"<th><p><strong>\1</strong></p></th>", out)
    out = re.sub(r"<td>(.*?)</td>", r'<td class="confluenceTd"><p>\1&nbsp;</p></td>', out)
    out = out.replace("<table>", '<table data-layout="default"><colgroup><col/><col/></colgroup>')
    return out.replace("<p>2026-11-20&nbsp;</p>", '<p><time datetime="2026-11-20" />&nbsp;</p>', 1)


def test_record_survives_confluence_rewrites(
    template: PostmortemTemplate, example: Incident
) -> None:
    storage = render_incident(template, example)
    rewritten = _confluence_rewrite(storage)
    assert rewritten != storage and "<time" in rewritten
    assert read_incident_record("x", rewritten) == read_incident_record("x", storage)


def _tick(storage: str, count: int) -> str:
    """What a reader does on the page: tick the first ``count`` checklist tasks."""
    head, _, checklist = storage.partition("<h2>Checklist</h2>")
    marker = "<ac:task-status>incomplete</ac:task-status>"
    ticked = checklist.replace(marker, "<ac:task-status>complete</ac:task-status>", count)
    return f"{head}<h2>Checklist</h2>{ticked}"


def test_checklist_progress_is_read_back_from_the_page(
    template: PostmortemTemplate, example: Incident
) -> None:
    total = sum(len(phase.items) for phase in template.checklist)
    storage = render_incident(template, example)
    record = read_incident_record("x", storage)
    assert record is not None and record.checklist == (0, total)
    ticked = _confluence_rewrite(_tick(storage, 3))
    # a task of the owner's own, above the checklist, is not part of the policy's progress
    own = "<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>Mine</ac:task-body></ac:task></ac:task-list>"
    ticked = ticked.replace("<h2>Summary</h2>", f"<h2>Summary</h2>{own}", 1)
    record = read_incident_record("x", ticked)
    assert record is not None and record.checklist == (3, total)
    assert record.tta_minutes == 2 and record.meeting_deadline == date(2026, 11, 27)
    no_checklist = render_incident(template.model_copy(update={"checklist": ()}), example)
    record = read_incident_record("x", no_checklist)
    assert record is not None and record.checklist is None


def test_progress_shows_checklist_next_to_status_and_broken_rules(
    template: PostmortemTemplate,
) -> None:
    untracked = ActionRecord("Fix alerting", "B", "P1", date(2026, 11, 1), ActionStatus.OPEN)
    closed = replace(_record("2026-11-02", "SEV-1", 4, untracked), status="Closed")
    late = replace(
        _record("2026-11-10", "SEV-2", 5), meeting_deadline=date(2026, 11, 17), checklist=(4, 37)
    )
    fine = replace(_record("2026-11-28", "SEV-3", 5), checklist=(37, 37))
    page = render_postmortems_page(template, [closed, late, fine], today=date(2026, 12, 1))
    progress = page[page.index("<h3>Progress</h3>") : page.index("<h2>Metrics</h2>")]
    assert "<th>Status</th><th>Checklist</th>" in progress
    assert "<td>Draft</td><td>4/37</td><td>meeting deadline 2026-11-17 has passed</td>" in progress
    assert "<td>Closed</td><td>\u2014</td><td>Closed, but 1 action item(s) have no ticket</td>" in (
        progress
    )
    assert "<td>Draft</td><td>37/37</td><td></td>" in progress
    newest, oldest = "2026-11-28 Incident", "2026-11-02 Incident"
    assert progress.index(newest) < progress.index(oldest)


def test_template_and_drafts(template: PostmortemTemplate) -> None:
    assert read_incident_record("Template", render_template_page(template)) is None
    assert read_incident_record("Some page", "<p>No properties here &amp; none</p>") is None
    draft = new_incident(template, title="T", date=date(2026, 11, 27), owner="A")
    record = read_incident_record("2026-11-27 T", render_incident(template, draft))
    assert record is not None and record.action_items == ()  # the placeholder row is not an item
    assert record.ttd_minutes is None and record.severity == "SEV-2"


def test_median_and_nearest_rank_p90() -> None:
    values = list(range(1, 11))
    assert median(values) == 5.5
    assert percentile(values, 90) == 9
    assert percentile([42], 90) == 42
    assert percentile(list(range(1, 21)), 90) == 18
    assert median([]) is None and percentile([], 90) is None


def test_open_and_overdue_actions() -> None:
    late = ActionRecord("Fix alerting", "B", "P1", date(2026, 11, 1), ActionStatus.OPEN)
    soon = ActionRecord("Add dashboard", "C", "P2", date(2026, 12, 30), ActionStatus.IN_PROGRESS)
    done = ActionRecord("Write runbook", "D", "P3", date(2026, 10, 1), ActionStatus.DONE)
    found = open_actions([_record("2026-10-01", "SEV-1", 5, soon, done, late)], date(2026, 12, 1))
    assert [(a.item.title, a.overdue) for a in found] == [
        ("Fix alerting", True),
        ("Add dashboard", False),
    ]


def test_postmortems_page_report_and_metrics(template: PostmortemTemplate) -> None:
    late = ActionRecord("Fix alerting", "B", "P1", date(2026, 11, 1), ActionStatus.OPEN)
    records = [
        _record("2026-10-03", "SEV-1", 4, late),
        _record("2026-11-12", "SEV-2", 10),
        _record("2026-11-20", "SEV-2", 30),
        _record("2026-11-21", "SEV-3", None),
    ]
    page = render_postmortems_page(template, records, today=date(2026, 12, 1), space="DEV")
    assert (
        '<ac:parameter ac:name="cql">label = "postmortem" and space = "DEV"</ac:parameter>' in page
    )
    assert (
        '<ac:parameter ac:name="headings">Date,Severity,Status,Owner,Services,Time to Acknowledge,Time to Resolve</ac:parameter>'
        in page
    )
    assert (
        '<ac:parameter ac:name="sortBy">Date</ac:parameter><ac:parameter ac:name="reverseSort">true'
        in page
    )
    assert "<tr><td>SEV-2</td><td>2</td></tr>" in page
    # months newest first, one column per severity, then the total
    assert page.index(
        "<td>2026-11</td><td>0</td><td>2</td><td>1</td><td>0</td><td>0</td><td>3</td>"
    ) < page.index("<td>2026-10</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td>")
    assert "<tr><td>Time to Detect</td><td>3</td><td>10m</td><td>30m</td></tr>" in page
    assert "<p>1 open, 1 overdue.</p>" in page and "Fix alerting" in page
    assert '<ri:page ri:content-title="2026-10-03 Incident"/>' in page


def test_empty_index(template: PostmortemTemplate) -> None:
    page = render_postmortems_page(template, [], today=date(2026, 12, 1))
    assert 'label = "postmortem"</ac:parameter>' in page and "No incident pages yet" in page


def _publish(
    api: Confluence, title: str, body: str, labels: tuple[str, ...], parent: str | None
) -> str:
    page = api.create_page("DEV", title, body, parent_id=parent, representation="storage")
    for label in labels:
        api.set_page_label(page["id"], label)
    return str(page["id"])


def test_index_lists_incidents_in_the_local_wiki(
    local_wiki: LocalWiki, template: PostmortemTemplate, example: Incident
) -> None:
    """Incident pages and the index go through the real client to the local wiki; the wiki's
    stored (normalised) bodies read back into records, and its HTML view shows the report."""
    api = Confluence(local_wiki.base_url, username="admin", password="admin", cloud=False)  # type: ignore[no-untyped-call]
    index_id = _publish(api, "Postmortems", "<p>pending</p>", (), None)
    other = new_incident(
        template,
        title="Search latency spike",
        date=date(2026, 11, 25),
        severity="SEV-3",
        owner="Jo Park",
    )
    ids = {}
    for incident in (example, other):
        title = incident_title(template, incident.date, incident.title)
        body = render_incident(template, incident)
        ids[title] = _publish(api, title, body, incident_labels(template, incident), index_id)
    _publish(
        api,
        template.template_page.title,
        render_template_page(template),
        template.template_page.labels,
        None,
    )

    stored = {
        t: api.get_page_by_id(i, expand="body.storage")["body"]["storage"]["value"]
        for t, i in ids.items()
    }
    records = [r for r in (read_incident_record(t, s) for t, s in stored.items()) if r is not None]
    assert sorted(r.severity for r in records) == ["SEV-2", "SEV-3"]
    page = render_postmortems_page(template, records, today=date(2026, 12, 1), space="DEV")
    version = api.get_page_by_id(index_id)["version"]["number"]
    api.update_page(index_id, "Postmortems", page, representation="storage", always_update=True)
    assert api.get_page_by_id(index_id)["version"]["number"] == version + 1

    view = requests.get(f"{local_wiki.base_url}/spaces/DEV/pages/{index_id}", timeout=10).text
    report = view[view.index("Incidents</h2>") : view.index("Metrics</h2>")]  # the report's table
    newest, oldest = "2026-11-25 Search latency spike", "2026-11-20 Checkout API outage"
    assert "<table" in report and newest in report and oldest in report
    assert report.index(newest) < report.index(oldest)  # newest first
    assert template.template_page.title not in report  # the template page carries another label
    assert "<th>Time to Resolve</th>" in report and "2h 03m" in report
    metrics = view[view.index("Metrics</h2>") :]
    assert "Fix alerting" not in metrics and "List recent deploys" in metrics


def test_a_hand_made_copy_of_the_template_page_counts_its_ticked_tasks(
    template: PostmortemTemplate,
) -> None:
    """A team copies the template page in Confluence, dates it and ticks two tasks: the index
    reads its checklist progress exactly as it reads a page made by ``incident new``."""
    copy = render_template_page(template).replace("YYYY-MM-DD", "2026-11-30", 1)
    ticked = copy.replace(
        "<ac:task-status>incomplete</ac:task-status>",
        "<ac:task-status>complete</ac:task-status>",
        2,
    )
    total = sum(len(phase.items) for phase in template.checklist)
    record = read_incident_record("2026-11-30 Copied by hand", ticked)
    assert record is not None and record.checklist == (2, total)
    page = render_postmortems_page(template, [record], today=date(2026, 12, 1))
    assert f"<td>2/{total}</td>" in page


def test_a_restricted_incident_shows_its_title_and_nothing_else(
    template: PostmortemTemplate,
) -> None:
    """The index is readable by the whole space: a restricted page's row says "restricted",
    and its severity, status, checklist and action items are counted nowhere."""
    from confluence_sync.template.records import restricted_record

    secret = restricted_record("2026-11-29 Leaked deploy key")
    assert secret is not None
    open_item = ActionRecord("Rotate every key", "C", "P1", date(2026, 12, 1), ActionStatus.OPEN)
    public = _record("2026-11-28", "SEV-3", 5, open_item)
    page = render_postmortems_page(template, [secret, public], today=date(2026, 12, 1))
    progress = page[page.index("<h3>Progress</h3>") : page.index("<h2>Metrics</h2>")]
    row = progress[progress.index("Leaked deploy key") :].split("</tr>")[0]
    assert "<td>restricted</td><td></td><td></td><td></td>" in row
    assert "from 1 incident page(s)" in page  # the restricted page is not in the metrics
