"""``incident pull`` end to end: an incident page published with ``incident new --from``, edited
in the local wiki the way the Confluence editor saves it, comes back into the incident YAML as
exactly those edits; publishing the pulled file again leaves the page as it is."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from lxml import etree
from publish_helpers import ApiWiki
from wiki_edits import edit_as_a_person, wiki_page

from confluence_sync.cli import cli
from confluence_sync.convert.canonical import NAMESPACES, same_content
from confluence_sync.template.load import IncidentLoader

REPO = Path(__file__).resolve().parents[1]
TITLE = "2026-11-20 Checkout API outage"
EXAMPLE = "content/incidents/example.yaml"
AC = "{" + NAMESPACES["ac"] + "}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_wiki: ApiWiki) -> Path:
    """This repository's content in a scratch folder, with the example incident published
    (once per gateway and wiki mode: REST v1 on Data Center and Cloud, v2 on Cloud)."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in api_wiki.env().items():
        monkeypatch.setenv(name, value)
    created = run("incident", "new", "--from", EXAMPLE)
    assert created.exit_code == 0, created.output
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _element(xml: str) -> etree._Element:
    return etree.fromstring(f'<x xmlns:ac="{NAMESPACES["ac"]}">{xml}</x>')[0]


def _status(title: str, colour: str, macro_id: str) -> etree._Element:
    return _element(
        f'<p><ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="{macro_id}">'
        f'<ac:parameter ac:name="title">{title}</ac:parameter>'
        f'<ac:parameter ac:name="colour">{colour}</ac:parameter></ac:structured-macro></p>'
    )


def _table_after(root: etree._Element, heading: str) -> etree._Element:
    h2 = next(h for h in root.iter("h2") if h.text == heading)
    return next(e for e in h2.itersiblings() if e.tag == "table")


def _replace_cell(cell: etree._Element, content: etree._Element) -> None:
    for child in list(cell):
        cell.remove(child)
    cell.text = None
    cell.append(content)


def the_editors_edits(root: etree._Element) -> None:
    """Status lozenge to Reviewed, one action item to Done, a timeline row, a paragraph."""
    status_row = next(tr for tr in root.iter("tr") if tr[0].text == "Status")
    _replace_cell(status_row[1], _status("Reviewed", "Blue", "7d2e"))
    actions = _table_after(root, "Action Items").findall(".//tr")
    _replace_cell(actions[2][6], _status("Done", "Green", "a91b"))
    timeline = _table_after(root, "Timeline").findall(".//tr")
    row = _element(
        '<tr><td><p local-id="t1">2026-11-20 15:10</p></td>'
        '<td><p local-id="t2">Capacity owners join the call.</p></td><td><p /></td></tr>'
    )
    timeline[-1].addprevious(row)
    resolution = next(h for h in root.iter("h2") if h.text == "Resolution").getnext()
    resolution.addnext(_element('<p local-id="r9">A capacity review is booked for Monday.</p>'))


def load(path: Path) -> dict[str, Any]:
    return dict(yaml.load(path.read_text(), Loader=IncidentLoader))


def page(wiki: ApiWiki, title: str = TITLE) -> dict[str, Any]:
    return wiki_page(wiki, title)


def edit_like_the_editor(wiki: ApiWiki, change: Callable[[etree._Element], None]) -> str:
    return edit_as_a_person(wiki, TITLE, change)


def test_editor_edits_come_back_as_exactly_those_yaml_changes(
    project: Path, api_wiki: ApiWiki
) -> None:
    before_text = (project / EXAMPLE).read_text()
    before = load(project / EXAMPLE)
    edited = edit_like_the_editor(api_wiki, the_editors_edits)

    preview = run("incident", "pull", TITLE, "--dry-run")  # finds the file it came from
    assert preview.exit_code == 0, preview.output
    assert "would write: content/incidents/example.yaml" in preview.output
    assert "+status: Reviewed" in preview.output
    assert (project / EXAMPLE).read_text() == before_text  # dry run writes nothing

    pulled = run("incident", "pull", TITLE)
    assert pulled.exit_code == 0, pulled.output
    assert "written: content/incidents/example.yaml" in pulled.output
    assert "warning" not in pulled.output  # everything on the page was read back
    after_text = (project / EXAMPLE).read_text()
    after = load(project / EXAMPLE)

    assert after.pop("status") == "Reviewed" and before.pop("status") == "In Review"
    assert after["action_items"][1].pop("status") == "done"
    new_entry = after["timeline"].pop(8)
    assert new_entry == {"at": "2026-11-20T15:10:00Z", "event": "Capacity owners join the call."}
    paragraphs = [" ".join(p.split()) for p in after.pop("resolution").split("\n\n")]
    assert paragraphs == [  # the same paragraph (wrapped anew), and the one added in the wiki
        " ".join(before.pop("resolution").split()),
        "A capacity review is booked for Monday.",
    ]
    assert after == before  # nothing else changed
    assert after_text.startswith(before_text.split("\ntitle:")[0])  # header comments kept
    assert list(after) == list(before)  # key order kept
    assert run("incident", "validate", EXAMPLE).exit_code == 0

    version = page(api_wiki)["version"]["number"]
    again = run("incident", "new", "--from", EXAMPLE, "--update")
    assert again.exit_code == 0, again.output
    now = page(api_wiki)
    assert same_content(now["body"]["storage"]["value"], edited)  # nothing new on the page
    # written again by our account: a stamp alone never makes a person's version ours
    assert now["version"]["number"] == version + 1
    assert "unchanged" in run("incident", "pull", TITLE, "--out", EXAMPLE).output


def test_pull_without_a_file_writes_a_new_one_and_names_what_the_page_lacks(
    project: Path, api_wiki: ApiWiki
) -> None:
    (project / EXAMPLE).unlink()  # the file the page came from is gone
    pulled = run("incident", "pull", TITLE)
    assert pulled.exit_code == 0, pulled.output
    path = project / "content" / "incidents" / "2026-11-20-checkout-api-outage.yaml"
    assert "created: content/incidents/2026-11-20-checkout-api-outage.yaml" in pulled.output
    data = load(path)
    example = load(REPO / EXAMPLE)
    for key in ("title", "severity", "status", "owner", "services", "summary", "links"):
        assert data[key] == example[key] or " ".join(str(data[key]).split()) == " ".join(
            str(example[key]).split()
        )
    assert len(data["action_items"]) == 5 and data["action_items"][0]["ticket"] == "OPS-4121"
    assert "started_at" not in data  # shown on the page only as durations: not guessed
    for key in ("Time to Detect", "Time to Acknowledge", "Time to Mitigate", "Time to Resolve"):
        assert f"warning: {key}: the page shows" in pulled.output
    assert run("incident", "validate", str(path)).exit_code == 0


def test_two_files_holding_the_incident_need_out(project: Path) -> None:
    shutil.copy(project / EXAMPLE, project / "content" / "incidents" / "copy.yaml")
    pulled = run("incident", "pull", TITLE)
    assert pulled.exit_code == 2
    assert "several files hold this incident" in pulled.output and "--out" in pulled.output


def test_ticked_checklist_tasks_are_reported_not_kept(project: Path, api_wiki: ApiWiki) -> None:
    def tick(root: etree._Element) -> None:
        root.findall(f".//{AC}task-status")[0].text = "complete"

    edit_like_the_editor(api_wiki, tick)
    pulled = run("incident", "pull", TITLE, "--out", EXAMPLE, "--dry-run")
    assert pulled.exit_code == 0, pulled.output
    assert "unchanged: content/incidents/example.yaml" in pulled.output
    assert "checklist: 1 of" in pulled.output and "untick" in pulled.output


def test_a_page_that_would_make_an_invalid_file_writes_nothing(
    project: Path, api_wiki: ApiWiki
) -> None:
    def empty_summary(root: etree._Element) -> None:
        summary = next(h for h in root.iter("h2") if h.text == "Summary").getnext()
        summary.getparent().remove(summary)

    before = (project / EXAMPLE).read_text()
    edit_like_the_editor(api_wiki, empty_summary)
    pulled = run("incident", "pull", TITLE, "--out", EXAMPLE)
    assert pulled.exit_code == 2, pulled.output
    assert "summary: required when status is In Review" in pulled.output
    assert (project / EXAMPLE).read_text() == before


def test_pages_that_are_not_incident_pages_are_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = run("incident", "pull", "2026-01-01 Nothing")
    assert missing.exit_code == 2
    assert "no page titled '2026-01-01 Nothing' in space DEV" in missing.output
    index = run("incident", "pull", "Postmortems")
    assert index.exit_code == 2
    assert "'Postmortems' is not an incident page created by confluence-sync" in index.output
    monkeypatch.setenv("CONFLUENCE_SPACE", "NOPE")
    assert run("incident", "pull", TITLE).exit_code == 3
    assert not (project / "content" / "incidents" / "2026-11-20-checkout-api-outage.yaml").exists()
