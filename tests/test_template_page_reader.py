"""Reading an incident page's storage back into the incident's fields: every field the template
shows, through the shapes the Confluence editor saves, and what cannot be read is reported."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confluence_sync.convert.canonical import same_content
from confluence_sync.template import (
    ActionStatus,
    ActionType,
    Incident,
    IncidentStatus,
    PostmortemTemplate,
    Priority,
    load_incident,
    load_template,
    new_incident,
    render_incident,
)
from confluence_sync.template.page_reader import read_incident_page
from confluence_sync.template.postmortem_template import KNOWN_PROPERTIES, MILESTONES

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = load_template(REPO / "content" / "template" / "postmortem.yaml")
EXAMPLE = load_incident(REPO / "content" / "incidents" / "example.yaml", TEMPLATE)
TITLE = "2026-11-20 Checkout API outage"


def reread(template: PostmortemTemplate, incident: Incident, storage: str) -> Incident:
    """The incident the page reads back as, with the timestamps the page only shows as
    durations taken from the original (as ``incident pull`` takes them from the file)."""
    title = f"{incident.date.isoformat()} {incident.title}"
    reading = read_incident_page(template, title, storage)
    assert [p for p in reading.problems] == []
    data = dict(reading.fields) | {m: getattr(incident, m) for m in MILESTONES}
    return Incident.model_validate(data, context={"template": template})


def test_the_example_page_reads_back_to_a_page_canonically_equal() -> None:
    storage = render_incident(TEMPLATE, EXAMPLE)
    again = reread(TEMPLATE, EXAMPLE, storage)
    assert same_content(render_incident(TEMPLATE, again), storage)
    assert again.action_items[0].status is ActionStatus.IN_PROGRESS
    assert again.action_items[4].ticket == "https://jira.example.com/browse/OPS-4125"
    assert again.timeline[0].link == "https://deploy.example.com/releases/2026.11.20-3"
    assert again.impact is not None and again.impact.minutes == {"SEV-2": 46}
    assert again.meeting_at == datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)


def test_an_untouched_empty_page_reads_back_empty() -> None:
    blank = new_incident(TEMPLATE, title="Disk full", date=date(2026, 1, 2), owner="Sam")
    reading = read_incident_page(TEMPLATE, "2026-01-02 Disk full", render_incident(TEMPLATE, blank))
    assert reading.problems == ()
    for section in TEMPLATE.sections:
        assert not reading.fields[section.field], section.field  # guidance is not content
    assert reading.fields["owner"] == "Sam" and reading.fields["status"] == "Draft"
    assert reading.checklist is not None and reading.checklist[0] == 0


# --- what the editor does to storage on save ------------------------------------------------


def _cells_in_paragraphs(storage: str) -> str:
    return re.sub(r"<td>(.*?)</td>", r'<td><p local-id="c">\1</p></td>', storage)


def _items_in_paragraphs(storage: str) -> str:
    return re.sub(r"<li>(.*?)</li>", r"<li><p>\1</p></li>", storage)


def _macro_ids(storage: str) -> str:
    return storage.replace(
        "<ac:structured-macro ", '<ac:structured-macro ac:schema-version="1" ac:macro-id="a1b2" '
    )


def _due_as_time(storage: str) -> str:
    return re.sub(r"<td>(\d{4}-\d{2}-\d{2})</td>", r'<td><time datetime="\1" /></td>', storage)


def _layout(storage: str) -> str:
    return (
        '<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell>'
        f"{storage}</ac:layout-cell></ac:layout-section></ac:layout>"
    )


def _nbsp_and_spans(storage: str) -> str:
    return storage.replace("<h2>", "<h2><span>").replace("</h2>", "&nbsp;</span></h2>")


EDITOR_SHAPES: dict[str, Callable[[str], str]] = {
    "cells wrapped in <p>": _cells_in_paragraphs,
    "list items wrapped in <p>": _items_in_paragraphs,
    "macro ids": _macro_ids,
    "dates as <time>": _due_as_time,
    "page in a layout": _layout,
    "headings with spans and nbsp": _nbsp_and_spans,
}


@pytest.mark.parametrize("shape", list(EDITOR_SHAPES))
def test_the_editors_storage_shapes_read_as_the_same_fields(shape: str) -> None:
    storage = render_incident(TEMPLATE, EXAMPLE)
    clean = read_incident_page(TEMPLATE, TITLE, storage)
    saved = read_incident_page(TEMPLATE, TITLE, EDITOR_SHAPES[shape](storage))
    assert saved.problems == ()
    assert saved.fields == clean.fields
    assert saved.shown == clean.shown


# --- what cannot be read is reported, naming the field ---------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "field"),
    [
        ("<td>2026-11-20 14:02</td>", "<td>just after two</td>", "timeline[1].at"),
        (
            '<ac:parameter ac:name="title">Done</ac:parameter>',
            '<ac:parameter ac:name="title">Blocked</ac:parameter>',
            "action_items[4].status",
        ),
        ("<td>P3</td>", "<td>urgent</td>", "action_items[4].priority"),
        ("<td>4180</td>", "<td>about 4000</td>", "impact"),
        ('<ac:parameter ac:name="title">SEV-2</ac:parameter>', "SEV-9", "severity"),
        ("<h2>Links</h2>", "<h2>Notes</h2><p>Our notes.</p><h2>Links</h2>", "page"),
        ("<h2>Trigger</h2>", "<h2>Cause</h2>", "trigger"),
    ],
)
def test_what_cannot_be_read_is_a_warning_naming_the_field(
    before: str, after: str, field: str
) -> None:
    storage = render_incident(TEMPLATE, EXAMPLE)
    assert before in storage
    reading = read_incident_page(TEMPLATE, TITLE, storage.replace(before, after, 1))
    named = [p.message for p in reading.problems if p.message.startswith(f"{field}:")]
    assert named, [p.message for p in reading.problems]
    assert all(p.level == "warning" for p in reading.problems)


# --- any incident the template can show reads back to the same page ---------------------------

# Text starts with a letter: a line opening with ``-``, ``>`` or ``#`` is a block in Markdown
# (a nested list, a quote, a heading), which a one-line table cell or list item cannot hold; no
# ``<``: raw HTML such as ``<p>`` in an event is block markup too (reported when read back). No
# ``&nbsp;``: a non-breaking space at the end of a cell is editor noise the reader drops.
NBSP_ENTITY = re.compile(r"&(nbsp|#0*160|#x0*a0);", re.IGNORECASE)
WORDS = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("abcXYZ"),
    st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?()'\"-*_`#&>[]"),
        max_size=40,
    ),
).filter(lambda text: not NBSP_ENTITY.search(text))
START = datetime(2026, 11, 20, 14, 0, tzinfo=timezone.utc)


@st.composite
def incidents(draw: st.DrawFn) -> Incident:
    minutes = sorted(draw(st.lists(st.integers(0, 600), min_size=0, max_size=5)))
    data: dict[str, Any] = {
        "title": draw(WORDS),
        "date": "2026-11-20",
        "severity": draw(st.sampled_from(TEMPLATE.scale)),
        "status": IncidentStatus.DRAFT.value,  # later statuses require every section
        "owner": draw(WORDS),
        "incident_commander": draw(st.none() | WORDS),
        "services": draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True))),
        "summary": draw(st.just("") | WORDS),
        "trigger": draw(st.just("") | WORDS),
        "timeline": [
            {"at": START + timedelta(minutes=m), "event": draw(WORDS)}
            | ({"link": "https://example.com/x"} if draw(st.booleans()) else {})
            for m in minutes
        ],
        "went_well": draw(st.lists(WORDS, max_size=3)),
        "action_items": draw(st.lists(action_items(), max_size=3)),
        "meeting_at": draw(st.none() | st.just(START + timedelta(days=3))),
    }
    milestones = sorted(draw(st.lists(st.integers(0, 300), min_size=5, max_size=5)))
    if draw(st.booleans()):
        data |= {
            m: START + timedelta(minutes=n) for m, n in zip(MILESTONES, milestones, strict=True)
        }
    data["impact"] = draw(
        st.none() | st.fixed_dictionaries({"text": WORDS, "users": st.integers(0, 10**6)})
    )
    return Incident.model_validate(data, context={"template": TEMPLATE})


@st.composite
def action_items(draw: st.DrawFn) -> dict[str, Any]:
    ticket = st.none() | st.from_regex(r"OPS-[1-9][0-9]{0,3}", fullmatch=True)
    return {
        "title": draw(WORDS),
        "owner": draw(WORDS),
        "type": draw(st.sampled_from([t.value for t in ActionType])),
        "priority": draw(st.sampled_from([p.value for p in Priority])),
        "status": draw(st.sampled_from([s.value for s in ActionStatus])),
        "ticket": draw(ticket | st.just("https://jira.example.com/browse/OPS-1")),
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incidents())
def test_any_incident_reads_back_to_a_canonically_equal_page(incident: Incident) -> None:
    storage = render_incident(TEMPLATE, incident)
    again = reread(TEMPLATE, incident, storage)
    assert same_content(render_incident(TEMPLATE, again), storage)


def test_a_template_showing_every_property_reads_responders_and_checks_duration() -> None:
    template = TEMPLATE.model_copy(update={"properties": KNOWN_PROPERTIES})
    storage = render_incident(template, EXAMPLE)
    reading = read_incident_page(template, TITLE, storage)
    assert reading.problems == ()
    assert reading.fields["responders"] == ["Sam Okafor", "Lena Fischer", "Diego Martins"]
    assert reading.shown["Duration"] == "2h 03m"  # computed: shown for checking, never a field
    assert "duration" not in reading.fields
    assert same_content(render_incident(template, reread(template, EXAMPLE, storage)), storage)
