"""``renderer = "mkdocs"`` (issue 33): the fixture site under tests/fixtures/mkdocs_front is
built by MkDocs itself (mkdocstrings, snippets with a line range, markdown-callouts,
pymdownx.blocks, tabs, magiclink, attribute-list ids, footnotes, literate-nav, a hook) and
published as its readers see it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from lxml import etree
from publish_helpers import writes_to
from wiki_edits import edit_as_a_person, wiki_page

from confluence_sync.cli import cli
from confluence_sync.config import load_settings
from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.localwiki import LocalWiki
from confluence_sync.source import Site, build_site

for module in ("mkdocs", "pymdownx", "markdown_callouts", "mkdocs_literate_nav"):
    pytest.importorskip(
        module, reason=f"{module} is not installed (pip install the site's plugins)"
    )
pytest.importorskip("mkdocstrings_handlers.python", reason="mkdocstrings-python is not installed")

FIXTURE = Path(__file__).parent / "fixtures" / "mkdocs_front"
ANCHOR = re.compile(r'<ac:parameter ac:name="">([^<]*)</ac:parameter>')
LINK = re.compile(r'<ac:link ac:anchor="([^"]*)">(?:<ri:page ri:content-title="([^"]*)"/>)?')
# what a directive, attribute list or admonition left unexpanded would look like
SOURCE_SYNTAX = ("::: ", "///", "{ #", "{:", "--8<--", "!!!", "???", '=== "', "NOTE:", "[^")


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mkdocs-front") / "site"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".confluence-sync"))
    return root


@pytest.fixture(scope="module")
def site(site_root: Path) -> Site:
    return build_site(load_settings(cwd=site_root, env={}), env={})


def body(site: Site, title: str) -> str:
    page = next(p for p in site.pages if p.title == title)
    return page.body if isinstance(page.body, str) else page.body.text()


def test_nav_titles_sections_and_order_are_mkdocs_own(site: Site) -> None:
    by_key = {p.key: p for p in site.pages}
    tree = [(p.title, by_key[p.parent].title if p.parent else None) for p in site.pages]
    assert tree[:9] == [
        ("Home", None),
        ("Guide", None),  # the section's index page is the section
        ("Writing pages", "Guide"),
        ("Hooks", None),
        ("Hooked page", "Hooks"),
        ("Reference", None),  # a literate-nav folder entry: a section of the folder's pages
        ("API reference", "Reference"),
        ("Extras", None),  # untitled in the nav (``* [](extras/)``): named after its folder
        ("Extra one", "Extras"),
    ]
    assert "Section" not in [title for title, _ in tree]


def test_no_directive_or_attribute_list_text_in_any_body(site: Site) -> None:
    for page in site.pages:
        text = body(site, page.title)
        assert not [s for s in SOURCE_SYNTAX if s in text], page.title
        assert "&lt;" not in text, page.title  # no raw tag shown as text


def test_every_in_page_and_cross_page_anchor_resolves(site: Site) -> None:
    anchors = {p.title: set(ANCHOR.findall(body(site, p.title))) for p in site.pages}
    links = 0
    for page in site.pages:
        for anchor, target in LINK.findall(body(site, page.title)):
            links += 1
            assert anchor in anchors[target or page.title], (page.title, target, anchor)
    assert links >= 5


def test_ids_are_mkdocs_own(site: Site) -> None:
    writing, home = body(site, "Writing pages"), body(site, "Home")
    assert "caret-mark-tilde" in ANCHOR.findall(writing)  # Python-Markdown's slugify
    assert {"mkdocs-locale", "fn:1", "fnref:1"} <= set(ANCHOR.findall(home))
    assert '<ac:link ac:anchor="tinypkg.greet"><ri:page ri:content-title="API reference"/>' in home


def test_what_plugins_hooks_and_includes_add_is_published(site: Site) -> None:
    api = body(site, "API reference")
    assert "Who to greet." in api and "greet(name, excited=False)" in api  # mkdocstrings
    assert "This paragraph comes from hooks.py." in body(site, "Hooked page")
    writing = body(site, "Writing pages")
    assert "def add(a, b):" in writing and "not shown" not in writing  # snippet lines 2-3
    assert 'href="https://github.com/acme/widgets/issues/12"' in body(site, "Home")  # magiclink


def test_admonitions_become_panels_by_colour(site: Site) -> None:
    guide = body(site, "Guide")
    panels = re.findall(
        r'ac:name="(info|tip|note|warning|expand)"><ac:parameter [^>]*>([^<]*)', guide
    )
    assert panels == [
        ("info", "Note"),  # markdown-callouts NOTE:
        ("note", "Careful"),  # warning → Confluence's yellow note
        ("expand", "Collapsed"),  # ??? danger
        ("expand", "A blocks details"),  # pymdownx.blocks details
        ("tip", "Blocks admonition"),  # pymdownx.blocks admonition, type success
    ]
    assert "It continues after a blank line while indented." in guide


def test_code_tabs_tasks_and_inline_marks(site: Site) -> None:
    writing = body(site, "Writing pages")
    code = (
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">python'
        '</ac:parameter><ac:parameter ac:name="title">hello.py</ac:parameter>'
        '<ac:parameter ac:name="linenumbers">true</ac:parameter>'
    )
    assert code in writing
    assert (
        "<p><strong>Python</strong></p>" in writing and "<p><strong>Shell</strong></p>" in writing
    )
    assert writing.count("<ac:task-status>complete</ac:task-status>") == 1
    assert "<kbd>Ctrl</kbd>" in writing and "<sub>2</sub>" in writing
    assert '<ri:attachment ri:filename="logo.png"/>' in body(site, "Home")


def test_mermaid_is_a_code_block_with_a_warning_naming_the_page(site: Site) -> None:
    shown = [w.display() for w in site.warnings]
    assert any(w.startswith("docs/guide/writing.md") and "Mermaid" in w for w in shown), shown
    assert "graph TD; A--&gt;B;" not in body(site, "Writing pages")
    assert "graph TD; A-->B;" in body(site, "Writing pages")  # as CDATA


def test_a_plugin_mkdocs_cannot_load_is_a_check_error_naming_the_package(
    site_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "broken"
    shutil.copytree(site_root, root, ignore=shutil.ignore_patterns(".confluence-sync"))
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins:\n", "plugins:\n  - redirects\n"))
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2, result.output
    assert "redirects" in result.output and "pip install mkdocs-redirects" in result.output


def test_sync_publishes_the_site_and_a_second_sync_writes_nothing(
    site_root: Path, local_wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site_root)
    monkeypatch.setenv("CONFLUENCE_URL", local_wiki.base_url)
    monkeypatch.setenv("CONFLUENCE_USER", local_wiki.user)
    monkeypatch.setenv("CONFLUENCE_TOKEN", local_wiki.token)
    first = CliRunner().invoke(cli, ["sync"])
    assert first.exit_code == 0, first.output
    assert writes_to(local_wiki)
    local_wiki.clear_log()
    second = CliRunner().invoke(cli, ["sync"])
    assert second.exit_code == 0, second.output
    assert writes_to(local_wiki) == []


def test_pull_shows_a_wiki_edit_of_a_generated_page_as_a_conflict_and_writes_nothing(
    site_root: Path, tmp_path: Path, local_wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(site_root, root, ignore=shutil.ignore_patterns(".confluence-sync"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("CONFLUENCE_URL", local_wiki.base_url)
    monkeypatch.setenv("CONFLUENCE_USER", local_wiki.user)
    monkeypatch.setenv("CONFLUENCE_TOKEN", local_wiki.token)
    assert CliRunner().invoke(cli, ["sync"]).exit_code == 0
    page = wiki_page(local_wiki, "Hooked page")
    stamp = requests.get(
        f"{local_wiki.base_url}/rest/api/content/{page['id']}/property/confluence-sync",
        auth=("admin", "admin"),
        timeout=10,
    ).json()["value"]
    assert stamp["generated"] is True  # the hook added to it

    def reword(storage: etree._Element) -> None:
        para = storage.xpath("//p[contains(., 'comes from hooks.py')]")[0]
        para.text = "The hook's paragraph, reworded in the wiki."

    edit_as_a_person(local_wiki, "Hooked page", reword)
    before = (root / "docs" / "hooked.md").read_text()
    pulled = CliRunner().invoke(cli, ["pull"])
    assert pulled.exit_code == 1, pulled.output
    assert "generated by MkDocs" in pulled.output
    assert "+The hook's paragraph, reworded in the wiki." in pulled.output  # the diff is shown
    assert (root / "docs" / "hooked.md").read_text() == before  # never the expanded output


@pytest.mark.parametrize(
    ("validation", "strict", "code", "level"),
    [
        ("", False, 0, None),  # MkDocs's default: a missing anchor is only INFO
        ("validation:\n  links:\n    anchors: warn\n", False, 0, "warning"),
        ("validation:\n  links:\n    anchors: warn\n", True, 2, "error"),  # --strict
    ],
)
def test_broken_anchor_severity_follows_the_sites_validation_settings(
    site_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    validation: str,
    strict: bool,
    code: int,
    level: str | None,
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(site_root, root, ignore=shutil.ignore_patterns(".confluence-sync"))
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text() + validation)
    hooked = root / "docs" / "hooked.md"
    hooked.write_text(hooked.read_text() + "\nSee [nowhere](#no-such-heading).\n")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["check", *(["--strict"] if strict else [])])
    assert result.exit_code == code, result.output
    named = [line for line in result.output.splitlines() if "no-such-heading" in line]
    if level is None:
        assert named == []
    else:
        assert named and named[0].startswith(f"docs/hooked.md: {level}:"), named


GOLDEN = FIXTURE.parent / "mkdocs_front_golden"


def test_storage_matches_the_golden_files(site: Site) -> None:
    """Every page's storage as reviewed (canonical form). CONFLUENCE_SYNC_UPDATE_GOLDEN=1
    rewrites the files after a deliberate change."""
    update = os.environ.get("CONFLUENCE_SYNC_UPDATE_GOLDEN") == "1"
    for page in site.pages:
        golden = GOLDEN / (re.sub(r"[^a-z0-9]+", "-", page.title.lower()).strip("-") + ".xml")
        got = canonical_xhtml(body(site, page.title)).rstrip("\n")
        if update:
            GOLDEN.mkdir(exist_ok=True)
            golden.write_text(got + "\n", encoding="utf-8")
        assert golden.is_file(), f"no golden file for {page.title}"
        assert got == golden.read_text(encoding="utf-8").rstrip("\n"), page.title
