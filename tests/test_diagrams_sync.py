"""A page with both diagram fences, inline and block math and sized images, synced into the
local wiki through the real renderers and atlassian-python-api over HTTP: the diagrams arrive as
PNG attachments shown with ``ac:image``, a second sync uploads nothing, editing one diagram
uploads one attachment, and ``check`` without the renderers names what to install."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from atlassian import Confluence
from cdp_client import chromium_binary, chromium_tab
from click.testing import CliRunner, Result
from lxml import etree
from test_diagram_renderers import needs_renderer
from wiki_edits import edit_as_a_person

from confluence_sync.cli import cli
from confluence_sync.localwiki import LocalWiki
from confluence_sync.renderers.diagrams import INSTALL

ARTIFACTS = Path(__file__).resolve().parents[1] / "tests-artifacts"

PAGE = """# Architecture

```mermaid
graph TD
  Alert --> Rollback
```

```plantuml
@startuml
Oncall -> Service: restart
@enduml
```

Error rate $\\epsilon = e^{-x^2}$ and:

$$
\\sum_{i=1}^{n} x_i^2
$$

![icon](../images/t.png){ width=24 height=24 }
"""


def _run(args: list[str], wiki: LocalWiki) -> Result:
    env = {
        "CONFLUENCE_URL": wiki.base_url,
        "CONFLUENCE_USER": "admin",
        "CONFLUENCE_TOKEN": "admin",
        "CONFLUENCE_API": "v1",
        "CONFLUENCE_RETRY_MAX_WAIT": "0",
        "CI": "",
    }
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


@pytest.fixture
def page(project: Path) -> Path:
    for kind in ("mermaid", "plantuml"):
        needs_renderer(kind)
    path = project / "content" / "guides" / "meeting.md"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_diagrams_become_attachments_once_and_an_edit_uploads_one(
    page: Path, local_wiki: LocalWiki
) -> None:
    first = _run(["sync"], local_wiki)
    assert first.exit_code == 0, first.output
    client = Confluence(local_wiki.base_url, username="admin", password="admin", cloud=False)
    found = client.get_page_by_title("DEV", "Architecture", expand="body.storage")
    info = found["results"][0]  # this call returns the result list
    body = info["body"]["storage"]["value"]
    names = re.findall(r'ri:filename="((?:mermaid|plantuml)-[0-9a-f]{20}\.png)"', body)
    assert [n.split("-")[0] for n in names] == ["mermaid", "plantuml"]
    assert '<ac:image ac:alt="Mermaid diagram" ac:title="graph TD&#10;  Alert' in body
    formulas = re.findall(
        r'ac:alt="([^"]*)"><ri:attachment ri:filename="(math-[0-9a-f]{20}\.png)"', body
    )
    assert [alt for alt, _ in formulas] == ["\\epsilon = e^{-x^2}", "\\sum_{i=1}^{n} x_i^2"]
    assert "$" not in body and "mathinline" not in body
    assert 'ac:height="24"' in body and 'ac:width="24"' in body
    attached = client.get_attachments_from_content(info["id"])["results"]
    assert {a["title"] for a in attached} == {*names, *(n for _, n in formulas), "t.png"}

    before = len(local_wiki.requests)
    second = _run(["sync"], local_wiki)
    assert second.exit_code == 0, second.output
    assert writes_to_since(local_wiki, before) == []

    page.write_text(PAGE.replace("Rollback", "Rollback --> Postmortem"), encoding="utf-8")
    before = len(local_wiki.requests)
    third = _run(["sync"], local_wiki)
    assert third.exit_code == 0, third.output
    uploads = [w for w in writes_to_since(local_wiki, before) if "/child/attachment" in w]
    assert len(uploads) == 1, uploads


def writes_to_since(wiki: LocalWiki, start: int) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in wiki.requests[start:]
        if r.method != "GET" and r.status < 400
    ]


def test_check_without_renderers_names_what_to_install(
    page: Path, local_wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = _run(["check"], local_wiki)
    assert result.exit_code == 2
    where = "content/guides/meeting.md"
    assert f"{where}:3: error: {INSTALL['mermaid']}" in result.stdout
    assert f"{where}:8: error: {INSTALL['plantuml']}" in result.stdout


def test_diagrams_code_publishes_code_blocks_without_renderers(
    page: Path, local_wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = page.parents[2] / "pyproject.toml"
    config.write_text(config.read_text() + 'diagrams = "code"\n')
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = _run(["check"], local_wiki)
    assert result.exit_code == 0, result.output
    assert "Mermaid diagram (mermaid) is published as its source in a code block" in result.stdout


def test_pull_gives_the_diagram_fences_back(page: Path, local_wiki: LocalWiki) -> None:
    assert _run(["sync"], local_wiki).exit_code == 0

    def add_a_line(root: etree._Element) -> None:
        root.append(etree.fromstring("<p>A line added in the wiki.</p>"))

    edit_as_a_person(local_wiki, "Architecture", add_a_line)
    pulled = _run(["pull"], local_wiki)
    assert pulled.exit_code == 0, pulled.output
    text = page.read_text(encoding="utf-8")
    assert "```mermaid\ngraph TD\n  Alert --> Rollback\n```" in text
    assert "```plantuml\n@startuml\nOncall -> Service: restart\n@enduml\n```" in text
    assert "A line added in the wiki." in text and "mermaid-" not in text
    assert "$\\epsilon = e^{-x^2}$" in text and "$$\n\\sum_{i=1}^{n} x_i^2\n$$" in text
    assert "math-" not in text


def test_the_view_shows_the_drawn_diagrams_and_math(page: Path, local_wiki: LocalWiki) -> None:
    """The local wiki's page view (what a reader of the embedded target sees): the diagrams as
    images that load, and the formulas as images too; a screenshot goes to tests-artifacts/."""
    assert _run(["sync"], local_wiki).exit_code == 0
    client = Confluence(local_wiki.base_url, username="admin", password="admin", cloud=False)
    found = client.get_page_by_title("DEV", "Architecture")
    info = found["results"][0] if "results" in found else found
    url = local_wiki.base_url + info["_links"]["webui"]
    html = requests.get(url, timeout=10).text
    sources = re.findall(
        r'<img src="([^"]*(?:mermaid|plantuml|math)-[0-9a-f]{20}\.png[^"]*)"', html
    )
    assert len(sources) == 4, html
    for src in sources:
        image = requests.get(urljoin(url, src.replace("&amp;", "&")), timeout=10)
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert 'alt="\\epsilon = e^{-x^2}"' in html and 'alt="\\sum_{i=1}^{n} x_i^2"' in html
    assert 'width="24" height="24"' in html
    chromium = chromium_binary()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium): no screenshot")
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_tab(chromium) as tab:
        tab.navigate(url)
        assert "Architecture" in tab.text()
        tab.screenshot(ARTIFACTS / "diagrams-math-view.png")
    assert (ARTIFACTS / "diagrams-math-view.png").stat().st_size > 0


def test_math_macro_publishes_the_math_apps_macros(page: Path, local_wiki: LocalWiki) -> None:
    config = page.parents[2] / "pyproject.toml"
    config.write_text(config.read_text() + 'math = "macro"\n')
    assert _run(["sync"], local_wiki).exit_code == 0
    client = Confluence(local_wiki.base_url, username="admin", password="admin", cloud=False)
    found = client.get_page_by_title("DEV", "Architecture", expand="body.storage")
    body = found["results"][0]["body"]["storage"]["value"]
    assert 'ac:name="mathinline"' in body and 'ac:name="mathblock"' in body
    assert "math-" not in body


def test_check_names_file_line_and_renderer_message_for_a_broken_diagram(
    page: Path, local_wiki: LocalWiki
) -> None:
    page.write_text(PAGE.replace("  Alert --> Rollback\n", "  Alert -->\n"), encoding="utf-8")
    result = _run(["check"], local_wiki)
    assert result.exit_code == 2
    line = next(x for x in result.stdout.splitlines() if "mermaid could not draw" in x)
    assert line.startswith(
        "content/guides/meeting.md:3: error: mermaid could not draw the diagram:"
    )
    assert "Parse error" in line
