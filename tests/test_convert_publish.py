"""An MkDocs-flavoured page (raw HTML table, details, pymdown syntax, a snippet) published with
``sync`` over HTTP to the local wiki: what Confluence stores, and a second sync finding nothing
to do although the wiki rewrote the body on save."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlassian import Confluence
from click.testing import CliRunner
from convert_helpers import WRAP
from lxml import etree

from confluence_sync.cli import cli
from confluence_sync.localwiki import LocalWiki

AC = "http://www.atlassian.com/schema/confluence/4/ac/"
PAGE = """# Review questions

<table>
<tr><th>Question</th><th>Notes</th></tr>
<tr>
<td>What broke?</td>
<td>

- the **checkout** API
- see [the meeting](meeting.md#agenda)

</td>
</tr>
</table>

<details>
<summary>Raw timeline</summary>

<img src="images/t.png" alt="timeline">

</details>

??? warning "Before you publish"
    Remove customer names.

=== "Python"

    Use ==retries== with ++ctrl+c++ to stop :rocket:

MTTR
:   Mean time to recovery.

--8<-- "includes/footer.md"
"""


@pytest.fixture
def mkdocs_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "content" / "images").mkdir(parents=True)
    (root / "includes").mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\ncontent_dir = "content"\n'
    )
    (root / "content" / "index.md").write_text(PAGE)
    (root / "content" / "meeting.md").write_text("# The meeting\n\n## Agenda\n")
    (root / "includes" / "footer.md").write_text("*Owned by the SRE team.*\n")
    (root / "content" / "images" / "t.png").write_bytes(b"\x89PNG timeline")
    monkeypatch.chdir(root)
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE", "CONFLUENCE_USER"):
        monkeypatch.delenv(name, raising=False)
    return root


def _sync(wiki: LocalWiki) -> str:
    env = {
        "CONFLUENCE_URL": wiki.base_url,
        "CONFLUENCE_USER": "admin",
        "CONFLUENCE_TOKEN": "admin",
        "CONFLUENCE_RETRY_MAX_WAIT": "0",
        "CI": "",
    }
    result = CliRunner().invoke(cli, ["sync"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[-1]


def test_mkdocs_page_publishes_as_confluence_content(
    mkdocs_project: Path, local_wiki: LocalWiki
) -> None:
    assert _sync(local_wiki).startswith("2 created")
    client = Confluence(local_wiki.base_url, username="admin", password="admin", cloud=False)
    found = client.get_page_by_title("DEV", "Review questions", expand="body.storage")
    page = found["results"][0]  # this call returns the whole result list
    body = page["body"]["storage"]["value"]
    root = etree.fromstring(WRAP.format(body).encode("utf-8"))
    text = "".join(root.itertext())
    assert "<table" not in text and "<td" not in text and "<details" not in text
    cell = root.find(".//table/tbody/tr[2]/td[2]")
    assert cell is not None and [li.xpath("string()") for li in cell.iter("li")] == [
        "the checkout API",
        "see the meeting",
    ]
    macros = [m.get(f"{{{AC}}}name") for m in root.iter(f"{{{AC}}}structured-macro")]
    assert macros.count("expand") == 2 and "note" in macros
    assert 'ac:anchor="agenda"' in body and 'ri:content-title="The meeting"' in body
    assert "<kbd>Ctrl</kbd>" in body and "\U0001f680" in body and "Owned by the SRE team" in body
    files = client.get_attachments_from_content(page["id"])["results"]
    assert [f["title"] for f in files] == ["t.png"]
    assert _sync(local_wiki) == "0 created, 0 updated, 2 unchanged, 0 conflicts, 0 orphans"
