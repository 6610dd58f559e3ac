"""``pull`` is a trust boundary: pages crafted the way a malicious wiki editor would craft them
(through the local wiki's REST API, over HTTP) never write outside the page's own files, never
bring a link to a repository file, a script or raw HTML into the Markdown, and a deep or broken
page is refused alone while the other pages' edits are pulled."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result
from lxml import etree
from markdown_it import MarkdownIt
from wiki_edits import edit_as_a_person, wiki_page

from confluence_sync.cli import cli
from confluence_sync.commands.pull import REFUSED_EXIT
from confluence_sync.convert.canonical import NAMESPACES
from confluence_sync.localwiki import LocalWiki

AUTH = ("admin", "admin")
RUNBOOK = "---\ntitle: Runbook\n---\n\nIntro paragraph.\n\nClosing paragraph.\n"
INDEX = "# Home\n\nSee the [runbook](runbook.md).\n"
NOTES = "Notes without a title of their own.\n"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_wiki: LocalWiki) -> Path:
    """A published guide in a git repository with everything committed."""
    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\npull_max_attachment_mib = 1\n'
    )
    (root / "content" / "index.md").write_text(INDEX)
    (root / "content" / "runbook.md").write_text(RUNBOOK)
    (root / "content" / "notes.md").write_text(NOTES)
    monkeypatch.chdir(root)
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONFLUENCE_URL", local_wiki.base_url)
    monkeypatch.setenv("CONFLUENCE_USER", "admin")
    monkeypatch.setenv("CONFLUENCE_TOKEN", "admin")
    monkeypatch.setenv("CONFLUENCE_API", "v1")
    assert run("sync").exit_code == 0
    (root / ".gitignore").write_text(".confluence-sync/\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "guide")
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def changed_files(root: Path) -> list[str]:
    """``git status`` as paths: what the pull changed or added in the repository."""
    lines = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    return sorted(line[3:] for line in lines)


def element(xml: str) -> etree._Element:
    wrapped = f'<x xmlns:ac="{NAMESPACES["ac"]}" xmlns:ri="{NAMESPACES["ri"]}">{xml}</x>'
    return etree.fromstring(wrapped)[0]


def append(wiki: LocalWiki, title: str, *xml: str) -> None:
    """A person's edit: ``xml`` elements added at the end of the page."""

    def change(root: etree._Element) -> None:
        for piece in xml:
            root.append(element(piece))

    edit_as_a_person(wiki, title, change)


def attach(wiki: LocalWiki, title: str, name: str, data: bytes) -> None:
    """Upload an attachment named ``name`` to the page, as any editor of the space can."""
    page_id = wiki_page(wiki, title)["id"]
    answer = requests.post(
        f"{wiki.base_url}/rest/api/content/{page_id}/child/attachment",
        headers={"X-Atlassian-Token": "nocheck"},
        files={"file": (name, data, "application/octet-stream")},
        auth=AUTH,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def image(name: str) -> str:
    return f'<p><ac:image><ri:attachment ri:filename="{name}"/></ac:image></p>'


def an_innocent_edit(wiki: LocalWiki) -> None:
    append(wiki, "Home", "<p>A line a colleague added to the home page.</p>")


def assert_only_home_pulled(root: Path, result: Result) -> None:
    assert result.exit_code == REFUSED_EXIT, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "pulled    content/index.md" in result.output
    assert "refused   content/runbook.md" in result.output
    assert changed_files(root) == ["content/index.md"]
    assert "A line a colleague added" in (root / "content" / "index.md").read_text()


# 1. files -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "../.git/config",
        "../pyproject.toml",
        "../.github/workflows/x.yml",
        "index.md",
        "brand-new-page.md",
        ".env",
        "evil.html",
        "a\nb.png",
    ],
)
def test_an_attachment_named_like_a_path_or_a_source_refuses_the_page(
    project: Path, local_wiki: LocalWiki, name: str
) -> None:
    payload = b"[core]\n\tfsmonitor = touch owned\n"
    attach(local_wiki, "Runbook", name, payload)
    append(local_wiki, "Runbook", image(name.replace("\n", "&#10;")), "<p>Added.</p>")
    an_innocent_edit(local_wiki)
    config_before = (project / ".git" / "config").read_bytes()
    pulled = run("pull")
    assert_only_home_pulled(project, pulled)
    assert "attachment" in pulled.output and repr(name) in pulled.output
    assert (project / ".git" / "config").read_bytes() == config_before
    assert not (project / "owned").exists()
    assert "Added." not in (project / "content" / "runbook.md").read_text()


def test_a_new_image_lands_in_the_pages_own_image_folder_and_syncs(
    project: Path, local_wiki: LocalWiki
) -> None:
    attach(local_wiki, "Runbook", "diagram.png", b"\x89PNG diagram")
    append(local_wiki, "Runbook", image("diagram.png"))
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert "+ content/images/runbook/diagram.png" in pulled.output
    saved = project / "content" / "images" / "runbook" / "diagram.png"
    assert saved.read_bytes() == b"\x89PNG diagram"
    assert "![](images/runbook/diagram.png)" in (project / "content" / "runbook.md").read_text()
    assert changed_files(project) == ["content/images/runbook/diagram.png", "content/runbook.md"]
    assert run("sync").exit_code == 0
    assert run("diff").exit_code == 0


def test_an_attachment_over_the_size_limit_refuses_the_page(
    project: Path, local_wiki: LocalWiki
) -> None:
    attach(local_wiki, "Runbook", "huge.png", b"\x89PNG" + b"0" * (3 * 2**19))  # 1.5 MiB
    append(local_wiki, "Runbook", image("huge.png"))
    an_innocent_edit(local_wiki)
    pulled = run("pull")
    assert_only_home_pulled(project, pulled)
    assert "is 1.5 MiB, over the 1 MiB limit" in pulled.output
    downloads = [r.path for r in local_wiki.requests if "/download/attachments/" in r.path]
    assert downloads == []  # the size the wiki reports is checked before downloading


def test_a_missing_attachment_refuses_only_its_page(project: Path, local_wiki: LocalWiki) -> None:
    append(local_wiki, "Runbook", image("never-uploaded.png"))
    an_innocent_edit(local_wiki)
    pulled = run("pull")
    assert_only_home_pulled(project, pulled)
    assert "'never-uploaded.png' could not be downloaded" in pulled.output


@pytest.mark.parametrize("depth", [70, 250])
def test_a_page_nested_too_deep_refuses_only_itself(
    project: Path, local_wiki: LocalWiki, depth: int
) -> None:
    deep = "<blockquote>" * depth + "<p>deep</p>" + "</blockquote>" * depth
    page = wiki_page(local_wiki, "Runbook")
    local_wiki.edit_page(page["id"], page["body"]["storage"]["value"] + deep, by="jane.doe")
    an_innocent_edit(local_wiki)
    pulled = run("pull")
    assert_only_home_pulled(project, pulled)
    assert "nests elements more than" in pulled.output


def test_pull_json_lists_every_refusal(project: Path, local_wiki: LocalWiki) -> None:
    append(local_wiki, "Runbook", image("never-uploaded.png"))
    pulled = run("pull", "--json")
    assert pulled.exit_code == REFUSED_EXIT
    document = json.loads(pulled.stdout)
    assert [r["source"] for r in document["refusals"]] == ["content/runbook.md"]
    assert "never-uploaded.png" in document["refusals"][0]["reason"]


# 2. content -----------------------------------------------------------------------------------
class Tags(HTMLParser):
    """Every tag and attribute in HTML, as MkDocs would serve the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def rendered_tags(markdown: str) -> list[tuple[str, dict[str, str | None]]]:
    """The HTML a Markdown renderer with raw HTML on (as MkDocs') makes of the file."""
    parser = Tags()
    parser.feed(MarkdownIt("commonmark", {"html": True}).render(markdown))
    return parser.tags


def runbook(root: Path) -> str:
    return (root / "content" / "runbook.md").read_text()


def test_links_to_repository_files_and_script_links_stay_text(
    project: Path, local_wiki: LocalWiki
) -> None:
    append(
        local_wiki,
        "Runbook",
        '<p><a href="../.git/config">config</a> <a href="javascript:alert(1)">js</a> '
        '<a href=" data:text/html,x">data</a> <a href="vbscript:x">vb</a> '
        '<a href="../pyproject.toml">project</a> <a href="https://example.com/ok">fine</a></p>',
        '<p><ac:image><ri:url ri:value="../.github/workflows/confluence-sync.yml"/></ac:image></p>',
        '<p><ac:image ac:alt="pixel"><ri:url ri:value="data:image/png;base64,AAAA"/></ac:image></p>',
    )
    pulled = run("pull")
    assert pulled.exit_code == REFUSED_EXIT, pulled.output
    assert "refused: link to '../.git/config' kept as text" in pulled.output
    text = runbook(project)
    assert "config js data vb project [fine](https://example.com/ok)" in text
    targets = [a.get("href") or a.get("src") for t, a in rendered_tags(text) if t in ("a", "img")]
    assert targets == ["https://example.com/ok"]
    # the wiki still holds what was refused, so the page is a conflict until a person decides
    synced = run("sync", "--force")
    assert synced.exit_code == 0, synced.output
    page_id = wiki_page(local_wiki, "Runbook")["id"]
    listing = requests.get(
        f"{local_wiki.base_url}/rest/api/content/{page_id}/child/attachment", auth=AUTH, timeout=10
    ).json()
    assert listing["results"] == []  # no repository file was uploaded


CODE = (
    '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[--8<-- ".git/config"\n'
    '{% include "../pyproject.toml" %}\n::: confluence_sync.config\n{* ../pyproject.toml *}]]>'
    "</ac:plain-text-body></ac:structured-macro>"
)


def test_snippet_and_include_markers_from_the_wiki_come_back_inert(
    project: Path, local_wiki: LocalWiki
) -> None:
    append(local_wiki, "Runbook", CODE)
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    text = runbook(project)
    assert ';--8<-- ".git/config"' in text
    assert "{%" not in text and "{*" not in text and "\n::: " not in text
    synced = run("sync", "--force")  # publishes the marker, not the file
    assert synced.exit_code == 0, synced.output
    body = wiki_page(local_wiki, "Runbook")["body"]["storage"]["value"]
    assert '--8<-- ".git/config"' in body and "repositoryformatversion" not in body


def test_a_code_language_or_title_cannot_leave_its_fence(
    project: Path, local_wiki: LocalWiki
) -> None:
    # a backtick makes the fence tildes; the tilde line then closes it
    escape = "python\n~~~\n\n<script>alert(1)</script>\n\n~~~`"
    quoted = escape.replace("<", "&lt;")
    append(
        local_wiki,
        "Runbook",
        f'<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">{quoted}'
        "</ac:parameter><ac:plain-text-body><![CDATA[print(1)]]></ac:plain-text-body>"
        "</ac:structured-macro>",
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="title">a\n&lt;script>x'
        "&lt;/script></ac:parameter><ac:plain-text-body><![CDATA[two]]></ac:plain-text-body>"
        "</ac:structured-macro>",
    )
    assert run("pull").exit_code == 0
    assert "script" not in {tag for tag, _ in rendered_tags(runbook(project))}


def test_an_anchor_name_with_both_quotes_adds_no_attribute(
    project: Path, local_wiki: LocalWiki
) -> None:
    name = "x' onmouseover='alert(1)\" y"
    quoted = name.replace('"', "&quot;")
    append(
        local_wiki,
        "Runbook",
        '<p>Before <ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">'
        f"{quoted}</ac:parameter></ac:structured-macro> after.</p>",
    )
    assert run("pull").exit_code == 0
    anchors = [attrs for tag, attrs in rendered_tags(runbook(project)) if tag == "a"]
    assert anchors == [{"name": name}]


def test_an_html_macro_is_refused_wherever_it_is(project: Path, local_wiki: LocalWiki) -> None:
    html = (
        '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<script>steal()'
        "</script>]]></ac:plain-text-body></ac:structured-macro>"
    )
    layout = (
        '<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>left</p>'
        f"{html}</ac:layout-cell><ac:layout-cell><p>right</p></ac:layout-cell>"
        "</ac:layout-section></ac:layout>"
    )
    append(local_wiki, "Runbook", html, layout)
    pulled = run("pull")
    assert pulled.exit_code == REFUSED_EXIT, pulled.output
    assert pulled.output.count("the html macro was left out") == 2
    text = runbook(project)
    assert "steal()" not in text and "ac:layout" in text  # the layout kept, without the macro


def prepend(wiki: LocalWiki, title: str, xml: str) -> None:
    edit_as_a_person(wiki, title, lambda root: root.insert(0, element(xml)))


def test_an_h1_added_in_the_wiki_never_renames_a_page(project: Path, local_wiki: LocalWiki) -> None:
    prepend(local_wiki, "Notes", "<h1>Owned</h1>")
    an_innocent_edit(local_wiki)
    pulled = run("pull")
    assert pulled.exit_code == REFUSED_EXIT, pulled.output
    assert "refused   content/notes.md" in pulled.output
    assert "only through front matter" in pulled.output
    assert (project / "content" / "notes.md").read_text() == NOTES
    assert changed_files(project) == ["content/index.md"]


# 4. output ------------------------------------------------------------------------------------
def rename(wiki: LocalWiki, title: str, new_title: str) -> None:
    page = wiki_page(wiki, title)
    answer = requests.put(
        f"{wiki.base_url}/rest/api/content/{page['id']}",
        json={
            "type": "page",
            "title": new_title,
            "version": {"number": page["version"]["number"] + 1},
            "body": {
                "storage": {"value": page["body"]["storage"]["value"], "representation": "storage"}
            },
        },
        auth=AUTH,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


LOG_COMMANDS = (("diff",), ("diff", "--stat"), ("plan",), ("sync", "--dry-run"))


@pytest.mark.parametrize(
    "title", ["Owned\n::error ::x", "Owned\r::add-mask::x", "Owned\x1b[2K\x85\u2028::warning ::x"]
)
def test_no_wiki_title_starts_a_log_line(project: Path, local_wiki: LocalWiki, title: str) -> None:
    """The runner reads ``::command`` at the start of any line (CR, LF and the Unicode line
    breaks Python's splitlines knows), so none may begin with text from the wiki."""
    rename(local_wiki, "Runbook", title)
    append(local_wiki, title, "<p>Edited too.</p>")
    for command in LOG_COMMANDS:
        result = run(*command)
        assert result.exit_code == 1, (command, result.output)
        assert command != ("diff",) or "wiki: Owned" in result.output
        lines = result.output.splitlines()
        assert not [line for line in lines if line.startswith("::")], (command, result.output)
        assert "\x1b" not in result.output
    (project / "plan.json").write_text(run("sync", "--dry-run", "--json").stdout)
    markdown = run("github", "summary", "plan.json")
    assert markdown.exit_code == 0, markdown.output
    assert "Owned" in markdown.output
    assert not [line for line in markdown.output.splitlines() if line.startswith("::")]


# the incident path --------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[1]
INCIDENT = "2026-11-20 Checkout API outage"
EXAMPLE = "content/incidents/example.yaml"


@pytest.fixture
def incident_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_wiki: LocalWiki
) -> Path:
    root = tmp_path / "incidents"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONFLUENCE_URL", local_wiki.base_url)
    monkeypatch.setenv("CONFLUENCE_USER", "admin")
    monkeypatch.setenv("CONFLUENCE_TOKEN", "admin")
    monkeypatch.setenv("CONFLUENCE_API", "v1")
    created = run("incident", "new", "--from", EXAMPLE)
    assert created.exit_code == 0, created.output
    return root


def test_a_deep_incident_page_is_refused_without_a_traceback(
    incident_project: Path, local_wiki: LocalWiki
) -> None:
    before = (incident_project / EXAMPLE).read_text()
    append(local_wiki, INCIDENT, "<blockquote>" * 200 + "<p>x</p>" + "</blockquote>" * 200)
    pulled = run("incident", "pull", INCIDENT, "--out", EXAMPLE)
    assert pulled.exit_code == REFUSED_EXIT, pulled.output
    assert "nests elements more than" in pulled.output and "Traceback" not in pulled.output
    assert (incident_project / EXAMPLE).read_text() == before


def test_an_incident_section_link_to_a_repository_file_stays_text(
    incident_project: Path, local_wiki: LocalWiki
) -> None:
    def link_in_summary(root: etree._Element) -> None:
        summary = next(h for h in root.iter("h2") if h.text == "Summary").getnext()
        summary.append(element('<a href="../../.git/config">the config</a>'))

    edit_as_a_person(local_wiki, INCIDENT, link_in_summary)
    pulled = run("incident", "pull", INCIDENT, "--out", EXAMPLE)
    assert pulled.exit_code == 0, pulled.output
    assert "refused: link to '../../.git/config' kept as text" in pulled.output
    text = (incident_project / EXAMPLE).read_text()
    assert "the config" in text and ".git/config" not in text


def test_the_local_wiki_keeps_and_serves_attachment_names_holding_slashes(
    project: Path, local_wiki: LocalWiki
) -> None:
    """As Confluence does: the name is the upload's file name, whatever it holds, and its
    download link (with the name percent-encoded) serves it; so pull's own rules are what
    stop ``../.git/config``, not the server's routing."""
    attach(local_wiki, "Runbook", "../.git/config", b"[core]\n")
    page_id = wiki_page(local_wiki, "Runbook")["id"]
    listing = requests.get(
        f"{local_wiki.base_url}/rest/api/content/{page_id}/child/attachment",
        params={"filename": "../.git/config"},
        auth=AUTH,
        timeout=10,
    ).json()
    (found,) = listing["results"]
    assert found["title"] == "../.git/config"
    assert "..%2F.git%2Fconfig" in found["_links"]["download"]
    served = requests.get(
        listing["_links"]["base"] + found["_links"]["download"], auth=AUTH, timeout=10
    )
    assert served.status_code == 200 and served.content == b"[core]\n"


def test_a_new_attachment_never_replaces_a_file_the_repository_has(
    project: Path, local_wiki: LocalWiki
) -> None:
    kept = project / "content" / "images" / "runbook" / "diagram.png"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"\x89PNG the repository's")
    attach(local_wiki, "Runbook", "diagram.png", b"\x89PNG the wiki's")
    append(local_wiki, "Runbook", image("diagram.png"))
    for command in (("pull", "--dry-run"), ("pull",)):
        refused = run(*command)
        assert refused.exit_code == REFUSED_EXIT, refused.output
        assert "would replace diagram.png, already in the repo" in refused.output
    assert kept.read_bytes() == b"\x89PNG the repository's"


def test_what_the_repository_published_itself_is_not_reported_as_refused(
    project: Path, local_wiki: LocalWiki
) -> None:
    """Raw storage written in the repository (a confluence block with a relative link) is
    trusted: a wiki edit elsewhere on the page pulls cleanly, and the block stays as written."""
    source = project / "content" / "raw.md"
    raw = '```confluence\n<p><a href="notes.txt">relative</a></p>\n```\n'
    source.write_text("---\ntitle: Raw\n---\n\nIntro.\n\nMore.\n\nAnd more.\n\n" + raw)
    assert run("sync").exit_code == 0
    prepend(local_wiki, "Raw", "<p>Added in the wiki.</p>")
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert "refused" not in pulled.output
    text = source.read_text()
    assert raw in text and "Added in the wiki." in text
