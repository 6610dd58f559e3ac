"""Incident and template pages: properties, sections in order, Jira macros, labels, valid XML."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from confluence_sync.convert.canonical import NAMESPACES
from confluence_sync.convert.macros import strip_illegal
from confluence_sync.template import (
    Incident,
    PostmortemTemplate,
    incident_labels,
    incident_title,
    load_incident,
    load_template,
    new_incident,
    render_incident,
    render_postmortems_page,
    render_template_page,
)
from confluence_sync.template.records import plain_text, read_incident_record
from confluence_sync.template.render import format_duration

ROOT = Path(__file__).resolve().parent.parent
AC, RI = NAMESPACES["ac"], NAMESPACES["ri"]
MACRO = f"{{{AC}}}structured-macro"
NAME = f"{{{AC}}}name"


@pytest.fixture(scope="module")
def template() -> PostmortemTemplate:
    return load_template(ROOT / "content" / "template" / "postmortem.yaml")


@pytest.fixture(scope="module")
def example(template: PostmortemTemplate) -> Incident:
    return load_incident(ROOT / "content" / "incidents" / "example.yaml", template)


def parse(storage: str) -> etree._Element:
    """Strict parse (no recovery): storage must be well-formed XML."""
    return etree.fromstring(f'<root xmlns:ac="{AC}" xmlns:ri="{RI}">{storage}</root>'.encode())


def macros(root: etree._Element, name: str) -> list[etree._Element]:
    return [m for m in root.iter(MACRO) if m.get(NAME) == name]


def property_keys(root: etree._Element) -> list[str]:
    (block,) = macros(root, "details")
    return [plain_text(tr[0]) for tr in block.iter("tr")]


def skeleton(root: etree._Element) -> list[str]:
    """The page's shape: top-level elements, headings, property keys, table header rows. The
    checklist's lists count as one kind: tasks on an incident page, bullets on the template."""
    task_list = f"{{{AC}}}task-list"
    shape = [
        "list" if child.tag in ("ul", task_list) else child.get(NAME) or child.tag for child in root
    ]
    shape += [plain_text(h) for h in root.iter("h2")]
    shape += property_keys(root)
    shape += ["|".join(plain_text(c) for c in t.iter("th")) for t in root.iter("table")]
    return shape


def table_headers(root: etree._Element) -> set[str]:
    return {"|".join(plain_text(c) for c in t.iter("th")) for t in root.iter("table")}


def test_title_and_labels(template: PostmortemTemplate, example: Incident) -> None:
    assert incident_title(template, date(2026, 11, 27), "Checkout API outage") == (
        "2026-11-27 Checkout API outage"
    )
    assert incident_labels(template, example) == (
        "postmortem",
        "sev-2",
        "2026",
        "checkout-api",
        "payments-gateway",
    )


def test_incident_page_properties_and_sections(
    template: PostmortemTemplate, example: Incident
) -> None:
    root = parse(render_incident(template, example))
    assert property_keys(root) == list(template.properties)
    headings = [s.heading for s in template.sections]
    assert [plain_text(h) for h in root.iter("h2")] == [*headings, "Checklist"]
    (block,) = macros(root, "details")
    values = {plain_text(tr[0]): plain_text(tr[1]) for tr in block.iter("tr")}
    assert values["Severity"] == "SEV-2" and values["Status"] == "In Review"
    assert values["Time to Detect"] == "7m" and values["Time to Resolve"] == "2h 03m"
    assert values["Time to Acknowledge"] == "2m" and "Duration" not in values
    assert values["Meeting Deadline"] == "2026-11-27 (meeting 2026-11-24 15:00 UTC)"
    lozenges = {
        m.findtext(f"{{{AC}}}parameter[@{{{AC}}}name='title']") for m in macros(root, "status")
    }
    assert {"SEV-2", "In Review", "In Progress", "Open", "Done"} <= lozenges


def test_filled_sections_show_content_not_guidance(
    template: PostmortemTemplate, example: Incident
) -> None:
    root = parse(render_incident(template, example))
    assert macros(root, "info") == []  # every section of the example is filled
    text = plain_text(root)
    assert "For 46 minutes on 20 November" in text
    assert "Rolling back the release at 14:44 UTC" in text


def test_action_items_use_jira_macro_for_keys_and_links_for_urls(
    template: PostmortemTemplate, example: Incident
) -> None:
    storage = render_incident(template, example)
    root = parse(storage)
    keys = [m.findtext(f"{{{AC}}}parameter") for m in macros(root, "jira")]
    assert keys == ["OPS-4121", "OPS-4122", "OPS-4123"]
    assert '<a href="https://jira.example.com/browse/OPS-4125">' in storage
    header = [
        plain_text(th)
        for th in next(t for t in root.iter("table") if "Ticket" in plain_text(t)).iter("th")
    ]
    assert header == ["Action", "Type", "Owner", "Priority", "Due", "Ticket", "Status"]


def test_timeline_is_utc_and_ordered(template: PostmortemTemplate, example: Incident) -> None:
    root = parse(render_incident(template, example))
    table = next(t for t in root.iter("table") if "Time (UTC)" in plain_text(t))
    times = [plain_text(tr[0]) for tr in list(table.iter("tr"))[1:]]
    assert times[0] == "2026-11-20 13:55" and times == sorted(times) and len(times) == 9


def test_template_page_has_the_layout_of_an_incident_page(template: PostmortemTemplate) -> None:
    blank = parse(render_template_page(template))
    draft = parse(
        render_incident(
            template, new_incident(template, title="T", date=date(2026, 11, 27), owner="A")
        )
    )
    assert skeleton(blank) == skeleton(draft)
    # every section carries its guidance panel and a placeholder
    assert len(macros(blank, "info")) == len(template.sections)
    assert "Three to five sentences a busy reader can stop after." in plain_text(blank)
    values = {plain_text(tr[0]): plain_text(tr[1]) for tr in macros(blank, "details")[0].iter("tr")}
    assert values["Date"] == "YYYY-MM-DD" and values["Status"] == "Draft"


def test_filled_page_keeps_the_same_headings_and_tables(
    template: PostmortemTemplate, example: Incident
) -> None:
    blank, filled = parse(render_template_page(template)), parse(render_incident(template, example))
    assert [plain_text(h) for h in blank.iter("h2")] == [plain_text(h) for h in filled.iter("h2")]
    assert table_headers(blank) - {""} == table_headers(filled) - {""}


def test_checklist_is_native_open_tasks_from_the_template(
    template: PostmortemTemplate, example: Incident
) -> None:
    """Every item of the template's checklist, in order, as an unticked Confluence task under
    one heading per phase; the template page carries the same open tasks, so a copy made by
    hand in Confluence has them too."""
    expected = [item for phase in template.checklist for item in phase.items]
    shown = [item.replace("**", "").replace("`", "") for item in expected]
    root = parse(render_incident(template, example))
    assert [plain_text(h) for h in root.iter("h3")] == [p.phase for p in template.checklist]
    tasks = list(root.iter(f"{{{AC}}}task"))
    assert [plain_text(t.find(f"{{{AC}}}task-body")) for t in tasks] == shown
    assert {t.findtext(f"{{{AC}}}task-status") for t in tasks} == {"incomplete"}
    blank = parse(render_template_page(template))
    blank_tasks = list(blank.iter(f"{{{AC}}}task"))
    assert [plain_text(t.find(f"{{{AC}}}task-body")) for t in blank_tasks] == shown
    assert {t.findtext(f"{{{AC}}}task-status") for t in blank_tasks} == {"incomplete"}
    assert not blank.xpath("//h2[.='Checklist']/following-sibling::ul/li")
    custom = template.model_copy(update={"checklist": ()})
    assert not list(parse(render_incident(custom, example)).iter(f"{{{AC}}}task"))


def test_rendering_is_deterministic(template: PostmortemTemplate, example: Incident) -> None:
    assert render_incident(template, example) == render_incident(template, example)
    assert render_template_page(template) == render_template_page(template)


def test_format_duration() -> None:
    from datetime import timedelta

    assert format_duration(timedelta(minutes=7)) == "7m"
    assert format_duration(timedelta(minutes=66)) == "1h 06m"
    assert format_duration(timedelta(days=2, hours=3, minutes=5)) == "2d 3h 05m"
    assert format_duration(None) == "\u2014"


_text = st.text(st.characters(codec="utf-8"), max_size=60)
_name = _text.filter(lambda s: s.strip() != "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=_name, owner=_name, summary=_text, factor=_name, event=_name, action=_name)
def test_any_text_renders_well_formed_storage(
    template: PostmortemTemplate,
    title: str,
    owner: str,
    summary: str,
    factor: str,
    event: str,
    action: str,
) -> None:
    incident = Incident.model_validate(
        {
            "title": title[:200],
            "date": "2026-11-20",
            "severity": "SEV-3",
            "owner": owner,
            "summary": summary,
            "contributing_factors": [factor],
            "services": [owner],
            "timeline": [{"at": datetime(2026, 11, 20, tzinfo=timezone.utc), "event": event}],
            "action_items": [{"title": action, "owner": owner}],
        },
        context={"template": template},
    )
    root = parse(render_incident(template, incident))
    assert property_keys(root) == list(template.properties)
    record = read_incident_record("t", render_incident(template, incident))
    assert record is not None and record.owner == " ".join(strip_illegal(owner).split())


def test_postmortems_page_is_well_formed(template: PostmortemTemplate, example: Incident) -> None:
    record = read_incident_record(
        "2026-11-20 Checkout API outage", render_incident(template, example)
    )
    assert record is not None
    for records in ([], [record]):
        parse(render_postmortems_page(template, records, today=date(2026, 12, 1), space="DEV"))


def test_optional_responders_property(template: PostmortemTemplate, example: Incident) -> None:
    custom = template.model_copy(update={"properties": ("Date", "Owner", "Responders")})
    root = parse(render_incident(custom, example))
    assert property_keys(root) == ["Date", "Owner", "Responders"]
    assert "Sam Okafor, Lena Fischer, Diego Martins" in plain_text(root)
    assert property_keys(parse(render_template_page(custom))) == ["Date", "Owner", "Responders"]
    # a team template that still lists Duration keeps getting it filled in
    older = template.model_copy(update={"properties": ("Date", "Duration")})
    assert "2h 03m" in plain_text(parse(render_incident(older, example)))


def test_ticket_label_from_policy_is_shown_under_action_items() -> None:
    from confluence_sync.template import PostmortemTemplate, render_template_page

    template = PostmortemTemplate.model_validate({"policy": {"ticket_label": "pm-follow-up"}})
    body = render_template_page(template)
    assert "ticket labelled <code>pm-follow-up</code>" in body
    assert body.index("pm-follow-up") > body.index("Action Items")
