"""Template and incident files: valid ones load, each broken rule is one located, named error."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.errors import TemplateError
from confluence_sync.template import (
    ActionStatus,
    IncidentStatus,
    PostmortemTemplate,
    load_incident,
    load_template,
    new_incident,
)
from confluence_sync.template.load import load_template_or_default

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "content" / "template" / "postmortem.yaml"
EXAMPLE = ROOT / "content" / "incidents" / "example.yaml"
INVALID = ROOT / "tests" / "fixtures" / "template" / "invalid"


@pytest.fixture(scope="module")
def template() -> PostmortemTemplate:
    return load_template(TEMPLATE)


def _write(tmp_path: Path, text: str, name: str = "incident.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, template: PostmortemTemplate) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        load_incident(path, template)
    assert caught.value.exit_code == 2
    return [str(p) for p in caught.value.problems]


# --- the real files ---------------------------------------------------------------------------


def test_repo_template_matches_the_documented_contract(template: PostmortemTemplate) -> None:
    assert [s.heading for s in template.sections] == [
        "Summary",
        "Impact",
        "Timeline",
        "Contributing Factors",
        "Trigger",
        "Resolution",
        "What Went Well",
        "What Went Wrong",
        "Where We Got Lucky",
        "Action Items",
        "Links",
    ]
    assert template.properties[:3] == ("Date", "Severity", "Status")
    assert template.template_page.title == "Template YYYY-MM-DD Incident Title"
    assert "postmortem" not in template.template_page.labels
    assert template.policy.ticket_label == "postmortem-action-item"
    assert [template.policy.due_days(p) for p in ("P0", "P1", "P2", "P3")] == [7, 14, 30, 60]
    assert all(s.guidance for s in template.sections)
    assert template.scale == ("SEV-1", "SEV-2", "SEV-3", "SEV-4", "SEV-5")
    assert all(level.definition and len(level.examples) >= 2 for level in template.severities)
    assert template.checklist and all(phase.items for phase in template.checklist)


def test_example_incident_validates_and_computes_durations(template: PostmortemTemplate) -> None:
    incident = load_incident(EXAMPLE, template)
    assert incident.status is IncidentStatus.IN_REVIEW
    assert incident.time_to_detect == timedelta(minutes=7)
    assert incident.time_to_acknowledge == timedelta(minutes=2)  # from detection, not the start
    assert incident.time_to_mitigate == timedelta(minutes=46)
    assert incident.time_to_resolve == timedelta(hours=2, minutes=3)
    assert incident.meeting_deadline(template) == date(2026, 11, 27)
    # items without a due date get the day the incident ended + their priority's days
    dues = [(item.priority.value, item.due) for item in incident.action_items]
    assert dues[0] == ("P1", date(2026, 12, 4)) and dues[3] == ("P2", date(2026, 12, 20))
    assert dues[1] == ("P1", date(2026, 12, 4))  # typed, kept
    assert incident.action_items[0].status is ActionStatus.IN_PROGRESS


def test_deadlines_count_from_the_day_the_incident_ended(
    tmp_path: Path, template: PostmortemTemplate
) -> None:
    """An incident that starts late on the 20th and is resolved on the 22nd: the meeting and the
    due dates count from the 22nd, not from the page's date."""
    path = _write(
        tmp_path,
        "title: T\ndate: 2026-11-20\nseverity: SEV-1\nowner: A\n"
        "started_at: 2026-11-20T23:00:00Z\nresolved_at: 2026-11-22T02:00:00Z\n"
        "action_items:\n  - {title: Fix it, owner: B, priority: P0}\n",
    )
    incident = load_incident(path, template)
    assert incident.ended_on == date(2026, 11, 22)
    assert incident.meeting_deadline(template) == date(2026, 11, 29)
    assert incident.action_items[0].due == date(2026, 11, 29)
    unresolved = new_incident(template, title="T", date=date(2026, 11, 20), owner="A")
    assert unresolved.meeting_deadline(template) == date(2026, 11, 27)  # falls back to the date


def test_timestamps_are_normalised_to_utc(tmp_path: Path, template: PostmortemTemplate) -> None:
    path = _write(
        tmp_path,
        "title: T\ndate: 2026-11-20\nseverity: SEV-3\nowner: A\n"
        "started_at: 2026-11-20T15:00:00+01:00\ndetected_at: 2026-11-20T14:05:00Z\n",
    )
    incident = load_incident(path, template)
    assert incident.started_at is not None and incident.started_at.utcoffset() == timedelta(0)
    assert incident.started_at.hour == 14
    assert incident.time_to_detect == timedelta(minutes=5)


# --- one invalid file per rule ------------------------------------------------------------------

CASES = {
    "missing_owner": (1, "owner: required"),
    "naive_timestamp": (11, "timeline[2].at: must include a timezone"),
    "resolved_before_started": (6, "resolved_at: 2026-11-04 09:30:00 UTC is before started_at"),
    "unsorted_timeline": (12, "timeline[3].at: 2026-11-05 08:06:00 UTC is earlier than"),
    "unknown_severity": (3, "severity: unknown severity 'SEV-9'"),
    "unknown_field": (5, "sevrity_note: unknown field; did you mean 'severity'?"),
    "action_item_without_owner": (9, "action_items[1].owner: required"),
    "closed_without_ticket": (20, "action_items[1].ticket: required when status is Closed"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_invalid_file_names_file_line_and_field(
    name: str, template: PostmortemTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    line, message = CASES[name]
    problems = _problems(INVALID / f"{name}.yaml", template)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"tests/fixtures/template/invalid/{name}.yaml:{line}: {message}")


def test_all_problems_are_reported_at_once(tmp_path: Path, template: PostmortemTemplate) -> None:
    path = _write(
        tmp_path,
        "title: T\ndate: 2026-11-20\nseverity: SEV-7\nstatus: Done\ncolour: red\nservices: [a]\n",
    )
    problems = _problems(path, template)
    joined = "\n".join(problems)
    assert len(problems) == 4, problems
    for needle in (
        ":3: severity:",
        ":4: status:",
        ":5: colour: unknown field",
        ":1: owner: required",
    ):
        assert needle in joined


def test_in_review_requires_the_required_sections(
    tmp_path: Path, template: PostmortemTemplate
) -> None:
    path = _write(
        tmp_path,
        "title: T\ndate: 2026-11-20\nseverity: SEV-2\nowner: A\n"
        "status: In Review\nsummary: Short.\n",
    )
    fields = {p.split(": ")[1] for p in _problems(path, template)}
    assert fields == {"impact", "timeline", "contributing_factors", "resolution", "action_items"}


def test_typed_durations_are_refused(tmp_path: Path, template: PostmortemTemplate) -> None:
    path = _write(
        tmp_path, "title: T\ndate: 2026-11-20\nseverity: SEV-2\nowner: A\ntime_to_detect: 5m\n"
    )
    (problem,) = _problems(path, template)
    assert problem.endswith(
        ":5: time_to_detect: is computed from the timestamps (started_at … resolved_at); remove it"
    )


def test_bad_ticket_and_impact_severity(tmp_path: Path, template: PostmortemTemplate) -> None:
    text = (
        "title: T\ndate: 2026-11-20\nseverity: SEV-2\nowner: A\nimpact:\n  text: x\n"
        "  minutes: {SEV-0: 3}\naction_items:\n  - title: Fix\n    owner: B\n    ticket: ops 1\n"
    )
    joined = "\n".join(_problems(_write(tmp_path, text), template))
    assert ":11: action_items[0].ticket: must be an issue key like OPS-123" in joined
    # the impact rule runs after field validation, so it shows once the ticket is fixed
    fixed = _write(tmp_path, text.replace("ops 1", "OPS-1"), "fixed.yaml")
    (problem,) = _problems(fixed, template)
    assert ":7: impact.minutes.SEV-0: unknown severity 'SEV-0'" in problem


def test_yaml_syntax_error_and_duplicate_key(tmp_path: Path, template: PostmortemTemplate) -> None:
    broken = _write(tmp_path, "title: T\ndate: [2026\nowner: A\n")
    (problem,) = _problems(broken, template)
    assert "invalid YAML" in problem and problem.startswith(str(broken))
    dup = _write(
        tmp_path, "title: T\ndate: 2026-11-20\nseverity: SEV-2\nowner: A\nowner: B\n", "d.yaml"
    )
    (problem,) = _problems(dup, template)
    assert problem.endswith(":5: owner: duplicate key (first at line 4)")


def test_scalar_document_is_refused(tmp_path: Path, template: PostmortemTemplate) -> None:
    (problem,) = _problems(_write(tmp_path, "just text\n"), template)
    assert problem.endswith(":1: must be a mapping of field: value")


# --- template file errors -------------------------------------------------------------------------


def test_invalid_template_lists_every_problem(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
title_pattern: "{when} {title}"
properties: [Date, Colour]
sections:
  - field: summary
    heading: Summary
    kind: list
policy:
  action_item_due_days: {SEV-9: 3}
""",
        "template.yaml",
    )
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    text = str(caught.value)
    assert ":1: title_pattern: must contain {title}" in text
    assert ":6: sections[0].kind: field summary is shown as kind 'text', not 'list'" in text


def test_template_cross_checks(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "properties: [Date, Colour]\npolicy:\n  action_item_due_days: {SEV-1: 3}\n"
        "  summary_sentences: [5, 3]\n"
        "severities:\n  - SEV-1\n  - {name: SEV-1, definition: Again}\n",
        "template.yaml",
    )
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    text = str(caught.value)
    assert ":1: properties[1]: unknown property 'Colour'" in text
    assert ":3: policy.action_item_due_days.SEV-1: unknown priority 'SEV-1'" in text
    assert ":4: policy.summary_sentences: 5 is more than 3" in text
    assert ":7: severities[1].name: 'SEV-1' appears twice" in text


def test_policy_share_when_is_a_status(tmp_path: Path) -> None:
    path = _write(tmp_path, "policy:\n  share_when: Published\n", "template.yaml")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert ":2: policy.share_when: input should be 'Draft'" in str(caught.value)


def test_defaults_without_a_template_file() -> None:
    template = PostmortemTemplate()
    assert template.scale == ("SEV-1", "SEV-2", "SEV-3", "SEV-4", "SEV-5")
    assert template.policy.meeting_days("SEV-1") == 7
    assert template.checklist == ()  # no checklist unless the template file defines one
    assert len(template.sections) == 11
    assert load_template_or_default(None) == template


# --- new_incident (the `incident new` flags) ------------------------------------------------------


def test_new_incident_from_flags(template: PostmortemTemplate) -> None:
    incident = new_incident(
        template,
        title=" Checkout API outage ",
        date=date(2026, 11, 27),
        severity="SEV-1",
        owner="Alex Kim",
    )
    assert (incident.title, incident.status, incident.severity) == (
        "Checkout API outage",
        IncidentStatus.DRAFT,
        "SEV-1",
    )
    assert new_incident(template, title="X", date=date(2026, 1, 1), owner="A").severity == "SEV-2"


def test_new_incident_problems_name_the_flags(template: PostmortemTemplate) -> None:
    with pytest.raises(TemplateError) as caught:
        new_incident(template, title="X", date=date(2026, 1, 1), severity="sev2")
    assert [str(p) for p in caught.value.problems] == [
        "incident new: --severity: unknown severity 'sev2'; the scale is SEV-1, SEV-2, SEV-3, SEV-4, SEV-5",
        "incident new: --owner: required (pass --owner NAME, or set git's user.name)",
    ]


def test_overrides_replace_file_fields_and_blame_the_flag(template: PostmortemTemplate) -> None:
    incident = load_incident(EXAMPLE, template, overrides={"severity": "SEV-1", "owner": None})
    assert incident.severity == "SEV-1" and incident.owner == "Alex Kim"
    with pytest.raises(TemplateError) as caught:
        load_incident(EXAMPLE, template, overrides={"severity": "SEV-0"})
    assert str(caught.value.problems[0]).startswith("command line: --severity: unknown severity")


# --- the CLI command ------------------------------------------------------------------------------


def test_cli_validate_reports_ok_and_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    ok = runner.invoke(cli, ["incident", "validate", "content/incidents/example.yaml"])
    assert ok.exit_code == 0, ok.output
    assert ok.output == "ok: content/incidents/example.yaml\n"
    bad = runner.invoke(
        cli,
        [
            "incident",
            "validate",
            "--template",
            str(TEMPLATE),
            "content/incidents/example.yaml",
            str(INVALID / "missing_owner.yaml"),
            str(INVALID / "unknown_severity.yaml"),
        ],
    )
    assert bad.exit_code == 2
    assert "ok: content/incidents/example.yaml" in bad.output
    assert "missing_owner.yaml:1: error: owner: required" in bad.output
    assert "unknown_severity.yaml:3: error: severity: unknown severity" in bad.output


def test_template_page_must_not_carry_the_index_label(tmp_path: Path) -> None:
    path = _write(tmp_path, "template_page:\n  labels: [postmortem]\n", "template.yaml")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert ":2: template_page.labels: must not include 'postmortem'" in str(caught.value)
