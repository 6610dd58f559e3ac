"""Reading the template page back into template-file edits, and writing them into the YAML text:
what maps (headings, guidance, property names) lands as exactly those values; what does not is
named. Pure: storage strings in, YAML text out."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from confluence_sync.template import PostmortemTemplate, load_template, render_template_page
from confluence_sync.template.template_page_edits import read_template_edits
from confluence_sync.template.template_yaml import pull_template_page, write_template_edits

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "content" / "template" / "postmortem.yaml"
WHERE = "content/template/postmortem.yaml"


def rendered() -> str:
    return render_template_page(load_template(TEMPLATE))


def messages(storage: str) -> list[str]:
    edits = read_template_edits(load_template(TEMPLATE), storage, where=WHERE)
    return [p.message for p in edits.problems]


def changed(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "-+" and line[:3] not in ("---", "+++")]


def test_the_page_as_published_has_no_edits() -> None:
    edits = read_template_edits(load_template(TEMPLATE), rendered(), where=WHERE)
    assert not edits.changed and not edits.problems


def test_the_last_sections_guidance_is_rewritten_at_the_end_of_the_file(tmp_path: Path) -> None:
    storage = rendered().replace(
        "The incident channel, call recording, dashboards",
        "The incident channel, the call recording, dashboards",
    )
    file = tmp_path / "postmortem.yaml"
    file.write_text(TEMPLATE.read_text())
    pulled = pull_template_page(file, WHERE, storage)
    assert not pulled.problems
    assert changed(pulled.before, pulled.after) == [
        "-      The incident channel, call recording, dashboards, related tickets and earlier "
        "postmortems.",
        "+      The incident channel, the call recording, dashboards, related tickets and earlier "
        "postmortems.",
    ]


def test_reordered_and_removed_properties_rewrite_the_list_with_its_comment_kept() -> None:
    template = load_template(TEMPLATE)
    storage = rendered()
    rows = storage.split("<tr>")
    # swap "Time to Detect" and "Time to Acknowledge", drop "Time to Mitigate"
    detect = next(i for i, r in enumerate(rows) if r.startswith("<th>Time to Detect"))
    rows[detect], rows[detect + 1] = rows[detect + 1], rows[detect]
    del rows[detect + 2]
    edits = read_template_edits(template, "<tr>".join(rows), where=WHERE)
    assert not edits.problems
    names = ["Time to Acknowledge", "Time to Detect", "Time to Resolve"]
    assert edits.properties is not None and list(edits.properties[6:9]) == names
    text = TEMPLATE.read_text()
    out = write_template_edits(text, edits)
    assert yaml.safe_load(out)["properties"][6:9] == names
    assert "# Page-properties table at the top of every incident page" in out
    assert out.split("properties:")[0] == text.split("properties:")[0]


def test_guidance_added_to_a_section_without_any_becomes_its_key(tmp_path: Path) -> None:
    text = TEMPLATE.read_text().replace(
        "    guidance: |\n      The incident channel, call recording, dashboards, related tickets"
        " and earlier postmortems.\n",
        "",
    )
    file = tmp_path / "postmortem.yaml"
    file.write_text(text)
    storage = render_template_page(load_template(TEMPLATE))  # the panel, as someone added it
    pulled = pull_template_page(file, WHERE, storage)
    assert not pulled.problems
    assert load_template(TEMPLATE).sections[-1] == yaml_sections(pulled.after)[-1]


def yaml_sections(text: str) -> list[object]:
    return list(PostmortemTemplate.model_validate(yaml.safe_load(text)).sections)


def test_edits_the_file_cannot_hold_are_named() -> None:
    storage = rendered()
    reordered = storage.replace("<h2>Trigger</h2>", "<h2>TMP</h2>", 1)
    reordered = reordered.replace("<h2>Resolution</h2>", "<h2>Trigger</h2>", 1)
    reordered = reordered.replace("<h2>TMP</h2>", "<h2>Resolution</h2>", 1)
    assert messages(reordered) == ["sections were reordered in the wiki ('Resolution', 'Trigger')"]
    added = storage.replace("<h2>Links</h2>", "<h2>Customers Told</h2><p>x</p><h2>Links</h2>")
    assert messages(added) == ["section 'Customers Told' was added in the wiki"]
    renamed = storage.replace("<th>Incident Commander</th>", "<th>Commander</th>")
    assert messages(renamed)[0].startswith("property 'Commander' is not one incident pages can")
    assert storage.count("Thank everyone who contributed.") == 1  # a task's body
    ticked = storage.replace("Thank everyone who contributed.", "Thank everyone, with cake.")
    assert messages(ticked) == [
        "the 'Checklist' section was edited in the wiki (its items come from checklist:)"
    ]
    placeholder = storage.replace("What happened at this moment.", "What happened then.")
    assert messages(placeholder) == [
        "section 'Timeline' was edited outside its guidance panel (placeholders and tables come "
        "from the section's kind and placeholder)"
    ]
