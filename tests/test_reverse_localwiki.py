"""Pages published to the local wiki and then edited there the way the Confluence editor saves
them come back as the source file plus exactly those edits; republishing the pulled file gives
the wiki's content again, the unknown macro included.

The edits go over REST with atlassian-python-api, in the editor's shapes: a new paragraph with a
``local-id``, two ticked tasks carrying ``ac:task-id``, a table row with ``<p>``-wrapped cells,
and a macro Markdown has no form for. The wiki adds its own ids on save.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from atlassian import Confluence

from confluence_sync.config import load_settings
from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.localwiki import LocalWiki
from confluence_sync.plan.model import DesiredPage
from confluence_sync.reverse import LinkTable, storage_to_markdown
from confluence_sync.reverse.writeback import replace_body
from confluence_sync.source import build_site
from confluence_sync.source.page import read_page

REPO = Path(__file__).resolve().parents[1]
ROADMAP = (
    '<ac:structured-macro ac:name="roadmap" ac:schema-version="1" ac:macro-id="r-1">'
    '<ac:parameter ac:name="timeline">true</ac:parameter></ac:structured-macro>'
)
NEW_ROW = (
    '<tr><td><p local-id="row-a">Who reads it</p></td>'
    '<td><p local-id="row-b">Everyone in engineering.</p></td></tr>'
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def _site(root: Path) -> dict[str, DesiredPage]:
    return {p.key: p for p in build_site(load_settings(cwd=root, env={})).pages}


def _edit_checklist(body: str) -> str:
    """A paragraph after the first one, the first two tasks ticked, a macro at the end."""
    body = body.replace(
        "</p>", '</p><p local-id="added-1">Copy this list before ticking it.</p>', 1
    )
    for number in (1, 2):
        body = body.replace(
            "<ac:task><ac:task-status>incomplete</ac:task-status>",
            f"<ac:task><ac:task-id>{number}</ac:task-id><ac:task-status>complete</ac:task-status>",
            1,
        )
    return body + ROADMAP


def _publish_and_edit(wiki: LocalWiki, page: DesiredPage, edit: str) -> str:
    """Create the page, save the editor's version over REST, return what the wiki stores."""
    client = Confluence(url=wiki.base_url, username=wiki.user, password=wiki.token, cloud=False)
    created = client.create_page("DEV", page.title, page.body, representation="storage")
    client.update_page(created["id"], page.title, edit, representation="storage")
    stored = client.get_page_by_id(created["id"], expand="body.storage")
    return str(stored["body"]["storage"]["value"])


def _pull(root: Path, pages: dict[str, DesiredPage], key: str, storage: str) -> list[str]:
    """Write the pulled Markdown into the source file; return the changed lines (+/-)."""
    page = pages[key]
    titles = {p.title: p.key for p in pages.values() if not p.key.startswith("generated:")}
    files = {a.filename: a.path.relative_to(root).as_posix() for a in page.attachments}
    toc = read_page(root / key, key).meta.toc
    result = storage_to_markdown(
        storage, links=LinkTable(key, titles, files, "DEV"), toc_in_front_matter=toc
    )
    source = root / key
    before = source.read_text(encoding="utf-8")
    after = replace_body(before, result.markdown)
    source.write_text(after, encoding="utf-8")
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_editor_edits_come_back_as_exactly_those_markdown_changes(
    local_wiki: LocalWiki, repo: Path
) -> None:
    pages = _site(repo)
    checklist, index = "content/resources/checklist.md", "content/index.md"
    stored = {
        checklist: _publish_and_edit(
            local_wiki, pages[checklist], _edit_checklist(pages[checklist].body)
        ),
        index: _publish_and_edit(
            local_wiki, pages[index], pages[index].body.replace("</tbody>", NEW_ROW + "</tbody>", 1)
        ),
    }
    assert "ac:macro-id" in stored[checklist] and "data-layout" in stored[index]  # wiki's ids

    assert _pull(repo, pages, checklist, stored[checklist]) == [
        "+Copy this list before ticking it.",
        "+",
        "-- [ ] Confirm a postmortem is needed: every SEV-1 and SEV-2; a SEV-3 if the team asked"
        " for one.",
        "-- [ ] Name one owner: a person, not a team. Confirm they have time this week.",
        "+- [x] Confirm a postmortem is needed: every SEV-1 and SEV-2; a SEV-3 if the team asked"
        " for one.",
        "+- [x] Name one owner: a person, not a team. Confirm they have time this week.",
        "+",
        "+```confluence",
        '+<ac:structured-macro ac:name="roadmap">',
        '+  <ac:parameter ac:name="timeline">true</ac:parameter>',
        "+</ac:structured-macro>",
        "+```",
    ]
    assert _pull(repo, pages, index, stored[index]) == [
        "+| Who reads it | Everyone in engineering. |"
    ]

    republished = _site(repo)
    for key in (checklist, index):
        assert canonical_xhtml(republished[key].body) == canonical_xhtml(stored[key]), key
    assert republished[checklist].body.endswith(  # the fence, published as written
        '<ac:structured-macro ac:name="roadmap">\n'
        '  <ac:parameter ac:name="timeline">true</ac:parameter>\n'
        "</ac:structured-macro>"
    )
