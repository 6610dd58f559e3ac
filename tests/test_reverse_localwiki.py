"""Pages published to the local wiki and then edited there the way the Confluence editor saves
them come back as the source file plus exactly those edits; republishing the pulled file gives
the wiki's content again, the unknown macro included.

The edits go over REST with atlassian-python-api, in the editor's shapes: a new paragraph with a
``local-id``, two ticked tasks carrying ``ac:task-id``, a table row with ``<p>``-wrapped cells,
and a macro Markdown has no form for. The wiki adds its own ids on save.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from atlassian import Confluence

from confluence_sync.config import load_settings
from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.localwiki import LocalWiki
from confluence_sync.reverse import LinkTable, storage_to_markdown
from confluence_sync.reverse.writeback import replace_body
from confluence_sync.source import build_site

ROADMAP = (
    '<ac:structured-macro ac:name="roadmap" ac:schema-version="1" ac:macro-id="r-1">'
    '<ac:parameter ac:name="timeline">true</ac:parameter></ac:structured-macro>'
)
NEW_ROW = (
    '<tr><td><p local-id="row-a">Who reads it</p></td>'
    '<td><p local-id="row-b">Everyone in engineering.</p></td></tr>'
)


PAGE = """---
title: Handover
---

What the outgoing on-call engineer hands over at the end of a shift.

- [ ] Open incidents, with their current owner.
- [ ] Alerts that fired twice or more.
- [ ] Changes rolled out during the shift.

| Item | Where |
|---|---|
| Pager schedule | The on-call calendar |
| Runbooks | The team space |
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small guide of its own: one page with a paragraph, tasks and a table."""
    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\ncontent_dir = "content"\n', encoding="utf-8"
    )
    (root / "content" / "index.md").write_text("---\ntitle: On-call\n---\n\nHome.\n")
    (root / "content" / "handover.md").write_text(PAGE, encoding="utf-8")
    return root


def _site(root: Path) -> dict[str, Any]:
    return {p.key: p for p in build_site(load_settings(cwd=root, env={})).pages}


def _edit(body: str) -> str:
    """What a person does in the editor: a paragraph after the first one, the first two tasks
    ticked, a table row added, a macro inserted at the end."""
    body = body.replace(
        "</p>", '</p><p local-id="added-1">Hand over in person when you can.</p>', 1
    )
    for number in (1, 2):
        body = body.replace(
            "<ac:task><ac:task-status>incomplete</ac:task-status>",
            f"<ac:task><ac:task-id>{number}</ac:task-id><ac:task-status>complete</ac:task-status>",
            1,
        )
    return body.replace("</tbody>", NEW_ROW + "</tbody>", 1) + ROADMAP


def _publish_and_edit(wiki: LocalWiki, page: Any, edit: str) -> str:
    """Create the page, save the editor's version over REST, return what the wiki stores."""
    client = Confluence(url=wiki.base_url, username=wiki.user, password=wiki.token, cloud=False)
    created = client.create_page("DEV", page.title, page.body, representation="storage")
    client.update_page(created["id"], page.title, edit, representation="storage")
    stored = client.get_page_by_id(created["id"], expand="body.storage")
    return str(stored["body"]["storage"]["value"])


def test_editor_edits_come_back_as_exactly_those_markdown_changes(
    local_wiki: LocalWiki, repo: Path
) -> None:
    key = "content/handover.md"
    pages = _site(repo)
    page = pages[key]
    stored = _publish_and_edit(local_wiki, page, _edit(page.body))
    assert "ac:macro-id" in stored and "data-layout" in stored  # the wiki added its ids

    titles = {p.title: p.key for p in pages.values() if not p.key.startswith("generated:")}
    result = storage_to_markdown(stored, links=LinkTable(key, titles, {}, "DEV"))
    assert result.new_attachments == ()
    before = (repo / key).read_text(encoding="utf-8")
    after = replace_body(before, result.markdown)
    (repo / key).write_text(after, encoding="utf-8")
    assert after == before.replace(
        "end of a shift.\n", "end of a shift.\n\nHand over in person when you can.\n"
    ).replace("- [ ] Open", "- [x] Open").replace("- [ ] Alerts", "- [x] Alerts").replace(
        "| The team space |\n",
        "| The team space |\n| Who reads it | Everyone in engineering. |\n\n```confluence\n"
        '<ac:structured-macro ac:name="roadmap">\n'
        '  <ac:parameter ac:name="timeline">true</ac:parameter>\n'
        "</ac:structured-macro>\n```\n",
    )

    republished = _site(repo)[key].body
    assert canonical_xhtml(republished) == canonical_xhtml(stored)
    assert republished.endswith(  # the fence, published as written
        '<ac:structured-macro ac:name="roadmap">\n'
        '  <ac:parameter ac:name="timeline">true</ac:parameter>\n'
        "</ac:structured-macro>"
    )
