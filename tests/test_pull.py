"""``pull`` end to end: pages edited in the local wiki through REST the way the Confluence editor
saves them come back into the Markdown files as exactly those edits; a page edited on both sides
merges cleanly or with conflict markers; the next ``sync`` only restamps."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from lxml import etree
from wiki_edits import edit_as_a_person, wiki_page

from confluence_sync.cli import cli
from confluence_sync.convert.canonical import NAMESPACES
from confluence_sync.localwiki import LocalWiki

PAGE = """---
title: Runbook
labels: [ops]
---

Intro paragraph written in the repo.

## Steps

- [ ] Page the on-call engineer
- [ ] Open the incident channel
- [ ] Start the timeline

| Step | Minutes |
|------|---------|
| a    | 1       |
| b    | 2       |

Closing paragraph.
"""

AUTH = ("admin", "admin")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_wiki: LocalWiki) -> Path:
    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.confluence-sync]\nspace = "DEV"\n')
    (root / "content" / "index.md").write_text("# Home\n\nSee the [runbook](runbook.md).\n")
    (root / "content" / "runbook.md").write_text(PAGE)
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


AC = "{" + NAMESPACES["ac"] + "}"


def the_editors_edits(root: etree._Element) -> None:
    added = etree.fromstring('<p local-id="4f1c">A step added in the wiki.</p>')
    paragraphs = [e for e in root if e.tag == "p"]
    paragraphs[0].addnext(added)
    tasks = root.findall(f".//{AC}task")
    for task in tasks[:2]:
        task.find(f"{AC}task-status").text = "complete"
    table_body = root.find(".//tbody")
    row = etree.fromstring('<tr><td><p local-id="9a">c</p></td><td><p>3</p></td></tr>')
    table_body.append(row)
    macro = etree.fromstring(
        f'<ac:structured-macro xmlns:ac="{NAMESPACES["ac"]}" ac:name="jira" '
        'ac:schema-version="1" ac:macro-id="d3a1"><ac:parameter ac:name="key">OPS-42'
        "</ac:parameter></ac:structured-macro>"
    )
    root.append(macro)


def page(wiki: LocalWiki, title: str = "Runbook") -> dict[str, Any]:
    return wiki_page(wiki, title)


def edit_like_the_editor(wiki: LocalWiki, change: Callable[[etree._Element], None]) -> str:
    return edit_as_a_person(wiki, "Runbook", change)


def test_editor_edits_come_back_as_exactly_those_markdown_changes(
    project: Path, local_wiki: LocalWiki
) -> None:
    edit_like_the_editor(local_wiki, the_editors_edits)
    before = (project / "content" / "runbook.md").read_text()
    assert "wiki edited" in run("diff").output
    assert "run: confluence-sync pull content/runbook.md" in run("diff").output
    preview = run("pull", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert (project / "content" / "runbook.md").read_text() == before  # dry run writes nothing
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert "pulled    content/runbook.md" in pulled.output
    after = (project / "content" / "runbook.md").read_text()
    assert after.startswith("---\ntitle: Runbook\nlabels: [ops]\n---\n")  # front matter kept
    assert "Intro paragraph written in the repo.\n\nA step added in the wiki.\n" in after
    assert "- [x] Page the on-call engineer\n- [x] Open the incident channel\n" in after
    assert "- [ ] Start the timeline\n" in after
    assert "| c" in after and "| 3" in after
    assert "```confluence" in after and 'ac:name="jira"' in after and "OPS-42" in after
    changed = [line for line in pulled_diff(before, after) if line[:1] in "-+" and line[1:]]
    removed = [line[1:] for line in changed if line.startswith("-") and "|" not in line]
    assert removed == ["- [ ] Page the on-call engineer", "- [ ] Open the incident channel"]
    # the table the wiki extended comes back with its rows (padding is the converter's own)
    rows = [cells(line[1:]) for line in changed if line.startswith("+") and "|" in line]
    assert [r for r in rows if r] == [["a", "1"], ["b", "2"], ["c", "3"]]

    version = page(local_wiki)["version"]["number"]
    synced = run("sync", "--json")
    assert synced.exit_code == 0, synced.output
    actions = {a["title"]: a for a in json.loads(synced.stdout)["actions"]}
    assert actions["Runbook"]["action"] == "update" and "pulled" in actions["Runbook"]["reason"]
    # written again by our account: a stamp alone never makes a person's version ours
    assert page(local_wiki)["version"]["number"] == version + 1
    assert run("diff").exit_code == 0
    assert json.loads(run("sync", "--json").stdout)["summary"]["skip"] == 2
    assert 'ac:name="jira"' in page(local_wiki)["body"]["storage"]["value"]


def cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|") if set(c.strip()) - {"-"}]


def pulled_diff(before: str, after: str) -> list[str]:
    import difflib

    return list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm=""))[2:]


def test_both_sides_changing_different_paragraphs_merge_cleanly(
    project: Path, local_wiki: LocalWiki
) -> None:
    def change_closing(root: etree._Element) -> None:
        last = [e for e in root if e.tag == "p"][-1]
        last.text = "Closing paragraph, reworded in the wiki."

    edit_like_the_editor(local_wiki, change_closing)
    source = project / "content" / "runbook.md"
    source.write_text(source.read_text().replace("Intro paragraph", "Intro paragraph, revised,"))
    merged = run("pull")
    assert merged.exit_code == 0, merged.output
    assert "merged    content/runbook.md" in merged.output
    text = source.read_text()
    assert "Intro paragraph, revised, written in the repo." in text
    assert "Closing paragraph, reworded in the wiki." in text and "<<<<<<<" not in text


def test_both_sides_changing_the_same_paragraph_leave_conflict_markers(
    project: Path, local_wiki: LocalWiki
) -> None:
    def change_intro(root: etree._Element) -> None:
        first = next(e for e in root if e.tag == "p")
        first.text = "Intro paragraph as the wiki has it."

    edit_like_the_editor(local_wiki, change_intro)
    source = project / "content" / "runbook.md"
    source.write_text(source.read_text().replace("Intro paragraph written", "Intro as the repo"))
    clash = run("pull")
    assert clash.exit_code == 1
    assert "conflict  content/runbook.md" in clash.output
    text = source.read_text()
    assert "<<<<<<< working file" in text and ">>>>>>> wiki" in text
    assert "Intro paragraph as the wiki has it." in text and "Intro as the repo" in text


def test_a_generated_page_is_refused_with_a_reason(project: Path, local_wiki: LocalWiki) -> None:
    """A folder without index.md becomes a page the tool writes itself: there is no Markdown
    to bring its edit back into, and pull says so rather than dropping the edit silently."""
    (project / "content" / "guides").mkdir()
    (project / "content" / "guides" / "one.md").write_text("# One\n\nText.\n")
    assert run("sync").exit_code == 0
    container = page(local_wiki, "Guides")
    local_wiki.edit_page(container["id"], "<p>Notes added in the wiki.</p>", by="jane.doe")
    refused = run("pull")
    assert refused.exit_code == 1
    assert "refused   content/guides/" in refused.output
    assert "pull cannot write this page back" in refused.output
