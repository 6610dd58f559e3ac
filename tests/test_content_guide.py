"""The published guide under ``content/`` keeps its promises to readers.

These tests check rules, not wording: every relative link resolves, and every policy number, status,
section name, summary length and severity the guide mentions agrees with the postmortem template,
which is what the tool enforces. Rewording a page should never break them; contradicting the
template should.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from confluence_sync.cli import cli
from confluence_sync.convert import convert_markdown, parse_markdown
from confluence_sync.template import (
    IncidentStatus,
    PostmortemTemplate,
    load_incident,
    load_template,
)
from confluence_sync.template.render import format_duration

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
PAGES = sorted(str(p.relative_to(CONTENT)) for p in CONTENT.rglob("*.md"))
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@pytest.fixture(scope="module")
def template() -> PostmortemTemplate:
    return load_template(CONTENT / "template" / "postmortem.yaml")


def split(rel: str) -> tuple[dict[str, object], str]:
    text = (CONTENT / rel).read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, f"{rel}: no front matter"
    return yaml.safe_load(match.group(1)), text[match.end() :]


def body(rel: str) -> str:
    return split(rel)[1]


def prose(rel: str) -> str:
    """The page without code, lines joined, so a phrase broken across lines still matches."""
    return " ".join(CODE.sub(" ", body(rel)).split())


def everything(template: PostmortemTemplate) -> dict[str, str]:
    """Every text a reader can see: guide pages, plus the template's guidance and checklist."""
    texts = {rel: prose(rel) for rel in PAGES}
    for section in template.sections:
        texts[f"template:{section.field}"] = f"{section.placeholder} {section.guidance}"
    texts["template:checklist"] = " ".join(i for p in template.checklist for i in p.items)
    return texts


def sentences(text: str, *, cells: bool = True) -> list[str]:
    """Sentences, list items and (unless ``cells`` is False) table cells, one string each."""
    if cells:
        return re.split(r"(?<=[.!?|])\s+(?=[A-Z*\[|-])", text)
    return re.split(r"(?<=[.!?])\s+(?=[A-Z*\[-])", text)


def section(text: str, heading: str, level: str = "##") -> str:
    match = re.search(
        rf"^{level} {re.escape(heading)}\n(.*?)(?=^#{{2,{len(level)}}} |\Z)",
        text,
        re.DOTALL | re.MULTILINE,
    )
    assert match, f"no section {heading!r}"
    return match.group(1)


def table(text: str) -> list[list[str]]:
    """Rows of the first pipe table in ``text`` (header included, separator dropped)."""
    rows = [line.strip() for line in text.splitlines() if line.lstrip().startswith("|")]
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    return [row for row in cells if not all(set(c) <= {"-", ":"} for c in row)]


def words(text: str) -> str:
    return " ".join(text.replace("**", "").replace("`", "").split())


# --- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("rel", PAGES)
def test_page_front_matter_and_headings(rel: str) -> None:
    meta, text = split(rel)
    assert set(meta) <= {"title", "weight", "labels", "toc", "draft"}
    assert isinstance(meta["title"], str) and meta["title"]
    assert isinstance(meta.get("weight", 0), int)
    assert not meta.get("draft"), "a draft page would be missing from the published guide"
    assert not re.search(r"^# ", text, re.MULTILINE), "the title comes from front matter, not an H1"


@pytest.mark.parametrize("rel", PAGES)
def test_page_converts_to_well_formed_storage(rel: str) -> None:
    doc = convert_markdown(body(rel), source=rel)
    root = f'<r xmlns:ac="urn:ac" xmlns:ri="urn:ri">{doc.xhtml}</r>'
    etree.fromstring(root.encode("utf-8"))
    assert "&lt;" not in doc.xhtml, "raw HTML would show up as text in Confluence"


@pytest.mark.parametrize("rel", PAGES)
def test_every_relative_link_resolves(rel: str) -> None:
    """Each link or image that is not a URL names a file that exists, and a ``#fragment`` names a
    heading of that page (the slugs `check` and the converter use)."""
    here = (CONTENT / rel).parent
    for target in LINK.findall(CODE.sub(" ", body(rel))):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, fragment = target.partition("#")
        file = (here / path).resolve() if path else CONTENT / rel
        assert file.is_file(), f"{rel}: link to missing {target}"
        if fragment:
            assert file.suffix == ".md", f"{rel}: fragment on a non-page link {target}"
            page = file.relative_to(CONTENT).as_posix()
            assert fragment in parse_markdown(body(page)).anchors, f"{rel}: no anchor {target}"


def test_check_passes_on_this_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output


def test_header_image_is_self_contained_svg() -> None:
    first_line = body("index.md").lstrip().splitlines()[0]
    match = re.fullmatch(r"!\[([^\]]+)\]\((images/[\w-]+\.svg)\)", first_line)
    assert match, first_line
    statuses = [s.value for s in IncidentStatus]
    assert [s for s in statuses if s in match.group(1)] == statuses  # the alt text names them all
    text = (CONTENT / match.group(2)).read_text()
    etree.fromstring(text.encode())
    assert "href" not in text and "@import" not in text and "url(http" not in text


# --- policy: one statement, the template's -----------------------------------------------------


def test_meeting_deadline_agrees_everywhere(template: PostmortemTemplate) -> None:
    """Every "within one week / N days" said of the meeting is the template's deadline, and the
    tool computes it from the day the incident ended."""
    days = template.policy.meeting_days(template.scale[0])
    seen = 0
    for where, text in everything(template).items():
        for sentence in sentences(text):
            if "meeting" not in sentence.lower() or "working day" in sentence:
                continue
            found = re.findall(r"within (one|\d+) (weeks?|days?)", sentence, re.IGNORECASE)
            for amount, unit in found:
                n = NUMBERS.get(amount.lower()) or int(amount)
                assert n * (7 if unit.startswith("week") else 1) == days, (where, sentence)
                seen += 1
    assert seen >= 2
    rows = table(section(body("what-is-a-postmortem.md"), "When a Postmortem Is Required"))
    column = rows[0].index("Meeting")
    assert days == 7 and all("within one week" in r[column].lower() for r in rows[1:])
    incident = load_incident(CONTENT / "incidents" / "example.yaml", template)
    assert incident.resolved_at is not None
    assert incident.meeting_deadline(template) == incident.resolved_at.date() + timedelta(days)


def test_due_dates_are_by_priority_and_agree_everywhere(template: PostmortemTemplate) -> None:
    due = template.policy.action_item_due_days
    found: set[str] = set()
    for where, text in everything(template).items():
        assert not re.search(r"SEV-\d: \d+ days", text), f"{where}: due dates are by priority"
        for priority, n in re.findall(r"\b(P[0-3]):? (\d+)(?: days)?\b", text):
            assert due[priority] == int(n), (where, priority, n)
            found.add(priority)
    assert found == set(due)
    policy = section(body("index.md"), "Our Policy in One Table")
    assert all(f"{p}: {n} days" in policy for p, n in due.items())
    follow_up = table(section(body("blameless-culture.md"), "Making follow-up stick", "###"))
    column = follow_up[0].index("Due by default")
    assert {r[0]: r[column] for r in follow_up[1:]} == {p: f"{n} days" for p, n in due.items()}


def test_summary_length_agrees_everywhere(template: PostmortemTemplate) -> None:
    low, high = template.policy.summary_sentences
    seen = 0
    for where, text in everything(template).items():
        for sentence in sentences(text, cells=False):  # a table row keeps its label with it
            match = re.search(r"\b(\w+) (?:to|or) (\w+) sentences", sentence, re.IGNORECASE)
            if match and ("summary" in sentence.lower() or where == "template:summary"):
                pair = tuple(NUMBERS.get(m.lower(), 0) for m in match.groups())
                assert pair == (low, high), (where, sentence)
                seen += 1
    assert seen >= 4


def test_statuses_and_when_to_announce(template: PostmortemTemplate) -> None:
    statuses = [s.value for s in IncidentStatus]
    lifecycle = table(section(body("what-is-a-postmortem.md"), "The Lifecycle of a Postmortem"))
    assert [row[0].strip("*") for row in lifecycle[1:]] == statuses
    for where, text in everything(template).items():
        status = r"[A-Z]\w*(?: [A-Z]\w*)?"
        for chain in re.findall(rf"{status}(?: → {status})+", text):
            assert [s.strip() for s in chain.split("→")] == statuses, where
        for sentence in sentences(text):
            if re.search(r"\bannounce", sentence, re.IGNORECASE):
                named = [s for s in statuses if re.search(rf"\b{s}\b", sentence)]
                assert named in ([], [template.policy.share_when.value]), (where, sentence)


def test_section_and_property_names_are_the_templates(template: PostmortemTemplate) -> None:
    headings = [s.heading for s in template.sections]
    steps = body("how-to-write-a-postmortem.md")
    for heading in headings:
        assert f"**{heading}**" in steps, heading
    for named in re.findall(r"\*Template sections?: (.+?)\.\*", steps):
        assert set(re.findall(r"\*\*(.+?)\*\*", named)) <= set(headings), named
    glance = table(section(body("resources/index.md"), "The Template's Sections at a Glance"))
    assert [row[0] for row in glance[1:]] == ["Page properties", *headings, "Checklist"]
    fields = " ".join(
        row[0] for row in table(section(steps, "Step 2: Fill In the Page Properties", "###"))
    )
    assert all(key in fields for key in template.properties)
    for example in re.findall(
        r"^## Example \d: .*?(?=^## |\Z)", body("resources/examples.md"), re.M | re.S
    ):
        assert [row[0] for row in table(example)[1 : len(template.properties) + 1]] == list(
            template.properties
        )


def test_severity_scale_and_definitions_come_from_the_template(
    template: PostmortemTemplate,
) -> None:
    for where, text in everything(template).items():
        for named in re.findall(r"SEV-\d+", text):
            assert named in template.scale, (where, named)
    rows = table(section(body("what-is-a-postmortem.md"), "Severity Levels"))
    assert rows[0] == ["Severity", "Definition", "Examples"]
    assert [tuple(r) for r in rows[1:]] == [
        (level.name, words(level.definition), words(" ".join(level.examples)))
        for level in template.severities
    ]
    assert all(level.definition and level.examples for level in template.severities)


def test_triggers_roles_and_checklist_are_stated_once(template: PostmortemTemplate) -> None:
    required = section(body("what-is-a-postmortem.md"), "When a Postmortem Is Required")
    bullets = [words(b) for b in re.findall(r"^- (.+)$", required, re.MULTILINE)]
    assert [words(t) for t in template.policy.triggers] == bullets[: len(bullets)]
    assert len(template.policy.triggers) >= 5
    roles = table(section(body("what-is-a-postmortem.md"), "Who Takes Part"))
    meeting = table(section(body("postmortem-meeting.md"), "Roles"))
    assert {r[0] for r in meeting[1:]} == {r[0] for r in roles[1:]}
    page = body("resources/checklist.md")
    phases = re.findall(r"^## (.+)$", page, re.MULTILINE)
    assert phases == [p.phase for p in template.checklist]
    for phase in template.checklist:
        items = re.findall(r"^- (.+?)(?=^- |^\n|\Z)", section(page, phase.phase), re.M | re.S)
        assert [words(i) for i in items] == [words(i) for i in phase.items], phase.phase
    assert "- [ ]" not in page and "- [x]" not in page, "the reference list is not tasks"


def test_ticket_label_is_the_templates(template: PostmortemTemplate) -> None:
    label = template.policy.ticket_label
    for rel in PAGES:
        for found in re.findall(r"`([a-z-]+-action-item)`", body(rel)):
            assert found == label, rel
    assert f"`{label}`" in body("index.md")


# --- worked examples: what the tool would compute -----------------------------------------------

MARKERS = {
    "started": "Impact starts.",
    "detected": "Detected.",
    "acknowledged": "Acknowledged.",
    "mitigated": "Mitigated.",
    "resolved": "Resolved.",
}


def _milestones(example: str) -> dict[str, datetime]:
    """Moments marked in bold in a worked example's timeline; a bare time keeps the last date."""
    day: date | None = None
    found: dict[str, datetime] = {}
    for when, event in (row[:2] for row in table(section(example, "Timeline", "###"))[1:]):
        match = re.fullmatch(r"(?:(\d{4}-\d{2}-\d{2}) ?)?(\d{2}:\d{2})?", when)
        assert match, when
        day = date.fromisoformat(match.group(1)) if match.group(1) else day
        for name, marker in MARKERS.items():
            if f"**{marker}**" in event and day is not None and match.group(2):
                found[name] = datetime.fromisoformat(f"{day.isoformat()}T{match.group(2)}")
    assert set(found) == set(MARKERS), found
    return found


def test_worked_examples_show_what_the_tool_computes(template: PostmortemTemplate) -> None:
    examples = re.findall(
        r"^## Example \d: (SEV-\d).*?(?=^## |\Z)", body("resources/examples.md"), re.M | re.S
    )
    assert len(examples) >= 3
    for example in re.findall(
        r"^## Example \d: .*?(?=^## |\Z)", body("resources/examples.md"), re.M | re.S
    ):
        props = dict(row[:2] for row in table(example)[1:])
        at = _milestones(example)
        days = template.policy.meeting_days(props["Severity"])
        assert props["Meeting Deadline"] == (at["resolved"].date() + timedelta(days)).isoformat()
        assert props["Time to Detect"] == format_duration(at["detected"] - at["started"])
        assert props["Time to Acknowledge"] == format_duration(at["acknowledged"] - at["detected"])
        assert props["Time to Mitigate"] == format_duration(at["mitigated"] - at["started"])
        assert props["Time to Resolve"] == format_duration(at["resolved"] - at["started"])


def test_analysis_questions_have_seven_groups_of_five_to_eight() -> None:
    text = body("resources/analysis-questions.md")
    groups = [
        "Cues",
        "Previous Knowledge and Experience",
        "Goals",
        "Assessment",
        "Taking Action",
        "Help",
        "Process",
    ]
    found = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert [g for g in found if g in groups] == groups
    for group in groups:
        questions = re.split(r"^\d+\. ", section(text, group), flags=re.MULTILINE)[1:]
        assert 5 <= len(questions) <= 8, (group, len(questions))
        assert all("?" in q for q in questions), group


def test_public_postmortems_link_to_their_sources() -> None:
    public = section(body("resources/examples.md"), "Public Postmortems Worth Reading")
    assert len(re.findall(r"^\| \[.+\]\(https://", public, re.MULTILINE)) >= 5
