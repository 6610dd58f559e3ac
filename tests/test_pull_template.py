"""``pull`` on the template page: headings and guidance edited in the local wiki the way the
Confluence editor saves them come back into ``content/template/postmortem.yaml`` as exactly those
values (comments and the rest of the file as written); edits the file cannot hold are refused
by name, with nothing written."""

from __future__ import annotations

import difflib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from lxml import etree
from wiki_edits import edit_as_a_person, wiki_page

from confluence_sync.cli import cli
from confluence_sync.convert.canonical import NAMESPACES
from confluence_sync.localwiki import LocalWiki

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = "content/template/postmortem.yaml"
TITLE = "Template YYYY-MM-DD Incident Title"
AC = "{" + NAMESPACES["ac"] + "}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_wiki: LocalWiki) -> Path:
    """A small guide with this repository's template file, published to the local wiki."""
    root = tmp_path / "repo"
    (root / "content" / "resources").mkdir(parents=True)
    (root / "content" / "template").mkdir()
    (root / "pyproject.toml").write_text('[tool.confluence-sync]\nspace = "DEV"\n')
    (root / "content" / "index.md").write_text("# Home\n\nThe postmortem guide.\n")
    (root / "content" / "resources" / "index.md").write_text("# Resources\n\nTemplates.\n")
    shutil.copy(REPO / TEMPLATE, root / TEMPLATE)
    monkeypatch.chdir(root)
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONFLUENCE_URL", local_wiki.base_url)
    monkeypatch.setenv("CONFLUENCE_USER", "admin")
    monkeypatch.setenv("CONFLUENCE_TOKEN", "admin")
    monkeypatch.setenv("CONFLUENCE_API", "v1")
    assert run("sync").exit_code == 0
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def heading(root: etree._Element, text: str) -> etree._Element:
    return next(h for h in root.iter("h2") if "".join(h.itertext()) == text)


def guidance_paragraph(root: etree._Element, section: str) -> etree._Element:
    panel = heading(root, section).getnext()
    assert panel.get(f"{AC}name") == "info"
    return panel.find(f"{AC}rich-text-body/p")


def rename_and_reword(root: etree._Element) -> None:
    """A heading renamed, a guidance sentence reworded with bold, the editor's ids added."""
    heading(root, "Timeline").text = "Timeline (UTC)"
    para = guidance_paragraph(root, "Contributing Factors")
    para.set("local-id", "a81f")
    first = "Incidents rarely have a single root cause."
    assert para.text.startswith(first)
    rest = para.text[len(first) :]
    para.text = "Incidents have "
    strong = etree.SubElement(para, "strong")
    strong.text = "several"
    strong.tail = " causes." + rest
    para.insert(0, strong)


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "-+" and line[:3] not in ("---", "+++")]


def page(wiki: LocalWiki, title: str = TITLE) -> dict[str, Any]:
    return wiki_page(wiki, title)


def edit_like_the_editor(wiki: LocalWiki, change: Callable[[etree._Element], None]) -> str:
    return edit_as_a_person(wiki, TITLE, change)


def test_heading_and_guidance_edits_come_back_into_the_template_file(
    project: Path, local_wiki: LocalWiki
) -> None:
    edit_like_the_editor(local_wiki, rename_and_reword)
    file = project / TEMPLATE
    before = file.read_text()
    assert "wiki edited" in run("diff").output
    preview = run("pull", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "+    heading: Timeline (UTC)" in preview.output
    assert file.read_text() == before  # a dry run writes nothing
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert f"pulled    {TEMPLATE}" in pulled.output
    after = file.read_text()
    assert changed_lines(before, after) == [
        "-    heading: Timeline",
        "+    heading: Timeline (UTC)",
        "-      Incidents rarely have a single root cause. List the conditions that lined up: "
        "latent",
        "+      Incidents have **several** causes. List the conditions that lined up: latent",
    ]
    old, new = yaml.safe_load(before), yaml.safe_load(after)
    old["sections"][2]["heading"] = "Timeline (UTC)"
    old["sections"][3]["guidance"] = old["sections"][3]["guidance"].replace(
        "rarely have a single root cause", "have **several** causes"
    )
    assert new == old  # exactly those two values changed
    assert run("check").exit_code == 0
    example = REPO / "content" / "incidents" / "example.yaml"
    assert run("incident", "validate", str(example)).exit_code == 0

    version = page(local_wiki)["version"]["number"]
    synced = run("sync", "--json")
    assert synced.exit_code == 0, synced.output
    actions = {a["title"]: a for a in json.loads(synced.stdout)["actions"]}
    assert actions[TITLE]["action"] == "update", actions[TITLE]
    # written again by our account: a stamp alone never makes a person's version ours
    assert page(local_wiki)["version"]["number"] == version + 1
    assert run("diff").exit_code == 0


def remove_timeline(root: etree._Element) -> None:
    start = heading(root, "Timeline")
    while (following := start.getnext()) is not None and following.tag != "h2":
        root.remove(following)
    root.remove(start)


def test_a_removed_section_is_refused_by_name_and_nothing_is_written(
    project: Path, local_wiki: LocalWiki
) -> None:
    edit_like_the_editor(local_wiki, remove_timeline)
    before = (project / TEMPLATE).read_bytes()
    refused = run("pull")
    assert refused.exit_code == 1
    assert f"refused   {TEMPLATE}" in refused.output
    assert f"section 'Timeline' was removed in the wiki; edit {TEMPLATE}" in refused.output
    assert (project / TEMPLATE).read_bytes() == before


def fill_in_and_type_outside(root: etree._Element) -> None:
    """What a person does when they mistake the template for their own postmortem."""
    details = next(m for m in root.iter(f"{AC}structured-macro") if m.get(f"{AC}name") == "details")
    owner = next(tr for tr in details.iter("tr") if "".join(tr[0].itertext()) == "Owner")
    owner[1].text = "Jane Doe"
    summary = heading(root, "Summary")
    summary.getnext().addnext(etree.fromstring("<p>Checkout was down for an hour.</p>"))


def test_values_typed_into_the_template_page_are_refused_each_by_name(
    project: Path, local_wiki: LocalWiki
) -> None:
    edit_like_the_editor(local_wiki, fill_in_and_type_outside)
    before = (project / TEMPLATE).read_bytes()
    refused = run("pull", "--json")
    assert refused.exit_code == 1
    (file,) = json.loads(refused.stdout)["files"]
    assert file["outcome"] == "refused"
    assert "property 'Owner' has the value 'Jane Doe'" in file["message"]
    assert "section 'Summary' was edited outside its guidance panel" in file["message"]
    assert (project / TEMPLATE).read_bytes() == before


def test_a_template_changed_on_both_sides_is_refused_with_the_way_forward(
    project: Path, local_wiki: LocalWiki
) -> None:
    """The page cannot say which differences are the wiki's when the file moved on too."""
    edit_like_the_editor(local_wiki, rename_and_reword)
    file = project / TEMPLATE
    file.write_text(file.read_text().replace("heading: Trigger", "heading: What Set It Off"))
    before = file.read_bytes()
    assert "both changed" in run("diff").output
    refused = run("pull")
    assert refused.exit_code == 1
    assert f"refused   {TEMPLATE}" in refused.output
    assert "git stash" in refused.output
    assert file.read_bytes() == before
