"""The published guide under ``content/`` keeps its promises to readers.

These tests guard what an engineer reading the guide in Confluence would notice: a page missing
from the tree, a checklist that is not a real task list, or policy numbers in
the guide that disagree with the template the tool enforces. Dead links and anchors are what
`check` reports; `tests/test_source.py` runs it on this content.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from lxml import etree

from confluence_sync.convert import convert_markdown

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
GUIDE_PAGES = {
    "index.md": 0,
    "what-is-a-postmortem.md": 10,
    "blameless-culture.md": 20,
    "how-to-write-a-postmortem.md": 30,
    "postmortem-meeting.md": 40,
    "resources/index.md": 50,
    "resources/checklist.md": 10,
    "resources/analysis-questions.md": 20,
    "resources/examples.md": 30,
    "resources/further-reading.md": 40,
}
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def split(rel: str) -> tuple[dict[str, object], str]:
    text = (CONTENT / rel).read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, f"{rel}: no front matter"
    return yaml.safe_load(match.group(1)), text[match.end() :]


def section(body: str, heading: str) -> str:
    """The text under one ``## heading``, up to the next ``##``."""
    match = re.search(
        rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", body, re.DOTALL | re.MULTILINE
    )
    assert match, f"no section {heading!r}"
    return match.group(1)


@pytest.mark.parametrize("rel", sorted(GUIDE_PAGES))
def test_page_front_matter_and_headings(rel: str) -> None:
    meta, body = split(rel)
    assert set(meta) <= {"title", "weight", "labels", "toc", "draft"}
    assert isinstance(meta["title"], str) and meta["title"]
    assert meta["weight"] == GUIDE_PAGES[rel]
    assert not meta.get("draft"), "a draft page would be missing from the published guide"
    assert not re.search(r"^# ", body, re.MULTILINE), "the title comes from front matter, not an H1"


@pytest.mark.parametrize("rel", sorted(GUIDE_PAGES))
def test_page_converts_to_well_formed_storage(rel: str) -> None:
    _, body = split(rel)
    doc = convert_markdown(body, source=rel)
    root = f'<r xmlns:ac="urn:ac" xmlns:ri="urn:ri">{doc.xhtml}</r>'
    etree.fromstring(root.encode("utf-8"))
    assert "&lt;" not in doc.xhtml, "raw HTML would show up as text in Confluence"


def test_checklist_is_native_task_lists_following_policy() -> None:
    _, body = split("resources/checklist.md")
    xhtml = convert_markdown(body).xhtml
    assert xhtml.count("<ac:task>") >= 30
    for phase in (
        "When the Incident Ends",
        "Before the Meeting",
        "During the Meeting",
        "After the Meeting",
    ):
        assert re.search(r"^- \[ \] ", section(body, phase), re.MULTILINE), phase
    for rule in ("SEV-1 and SEV-2", "one week", "postmortem-action-item", "incident new", "blame"):
        assert rule in body, rule


def test_analysis_questions_have_seven_groups_of_five_to_eight() -> None:
    _, body = split("resources/analysis-questions.md")
    groups = [
        "Cues",
        "Previous Knowledge and Experience",
        "Goals",
        "Assessment",
        "Taking Action",
        "Help",
        "Process",
    ]
    found = re.findall(r"^## (.+)$", body, re.MULTILINE)
    assert [g for g in found if g in groups] == groups
    for group in groups:
        questions = re.split(r"^\d+\. ", section(body, group), flags=re.MULTILINE)[1:]
        assert 5 <= len(questions) <= 8, (group, len(questions))
        assert all("?" in q for q in questions), group


def test_examples_cover_three_severities_with_ticketed_action_items() -> None:
    _, body = split("resources/examples.md")
    headings = re.findall(r"^## Example \d: (SEV-\d)", body, re.MULTILINE)
    assert headings == ["SEV-1", "SEV-2", "SEV-3"]
    assert len(re.findall(r"\| [A-Z]+-\d+ \|", body)) >= 10, "action items need ticket keys"
    public = section(body, "Public Postmortems Worth Reading")
    assert len(re.findall(r"^\| \[.+\]\(https://", public, re.MULTILINE)) >= 5


def test_guide_policy_matches_the_template_the_tool_enforces() -> None:
    template = yaml.safe_load((CONTENT / "template" / "postmortem.yaml").read_text())
    policy = template["policy"]
    guide = "\n".join(split(rel)[1] for rel in GUIDE_PAGES)
    due = policy["action_item_due_days"]
    for severity in ("SEV-1", "SEV-2", "SEV-3"):
        assert f"{severity}: {due[severity]} days" in guide, severity
    assert f"others: {due['default']} days" in guide
    assert policy["meeting_deadline_days"]["default"] == 7 and "within one week" in guide
    assert f"`{policy['ticket_label']}`" in guide
    for key in template["properties"]:
        assert key in split("how-to-write-a-postmortem.md")[1], key
    steps = split("how-to-write-a-postmortem.md")[1]
    for part in template["sections"]:
        assert f"**{part['heading']}**" in steps, part["heading"]
    assert "[the postmortem template](template/postmortem.yaml)" in split("index.md")[1]


def test_header_image_is_self_contained_svg() -> None:
    _, body = split("index.md")
    first_line = body.lstrip().splitlines()[0]
    assert re.fullmatch(r"!\[[^\]]+\]\(images/header\.svg\)", first_line), first_line
    svg = etree.parse(str(CONTENT / "images" / "header.svg")).getroot()
    assert svg.get("viewBox") == "0 0 1200 300"
    text = (CONTENT / "images" / "header.svg").read_text()
    assert "href" not in text and "@import" not in text and "url(http" not in text
