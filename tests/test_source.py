"""The site model: discovery, front matter, titles, tree, mkdocs nav, and `check` / `render`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.config import load_settings
from confluence_sync.errors import InputError
from confluence_sync.source import build_site

REPO = Path(__file__).resolve().parents[1]


def make_site(root: Path, files: dict[str, str], table: str = "") -> Path:
    (root / "pyproject.toml").write_text(f"[tool.confluence-sync]\n{table}", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".png"):
            path.write_bytes(b"\x89PNG fake image " + name.encode())
        else:
            path.write_text(text, encoding="utf-8")
    return root


def pages_of(root: Path) -> dict[str, tuple[str, str | None]]:
    site = build_site(load_settings(cwd=root, env={}))
    return {p.key: (p.title, p.parent) for p in site.pages}


def test_folder_tree_titles_and_order(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "content/index.md": "---\ntitle: Guide\n---\nWelcome.\n",
            "content/zeta.md": "---\nweight: 1\n---\n# Zeta Page\nText.\n",
            "content/alpha.md": "---\nweight: 2\ntitle: Alpha\n---\nText.\n",
            "content/incident-response.md": "No heading here.\n",
            "content/resources/index.md": "---\ntitle: Resources\n---\nAll the things.\n",
            "content/resources/checklist.md": "---\ntitle: Checklist\n---\n- [ ] one\n",
            "content/more_guides/deep.md": "---\ntitle: Deep\n---\nDeep.\n",
        },
    )
    site = build_site(load_settings(cwd=tmp_path, env={}))
    keys = [p.key for p in site.pages]
    info = {p.key: p for p in site.pages}
    assert keys[0] == "content/index.md" and site.top == "content/index.md"
    assert info["content/index.md"].parent is None
    # weight 0 pages (and folders) come before weight 1 and 2
    assert keys.index("content/zeta.md") < keys.index("content/alpha.md")
    assert info["content/zeta.md"].title == "Zeta Page"
    assert "Zeta Page" not in info["content/zeta.md"].body  # the H1 became the title
    assert info["content/incident-response.md"].title == "Incident response"
    assert info["content/resources/checklist.md"].parent == "content/resources/index.md"
    container = info["content/more_guides/"]
    assert container.title == "More guides" and container.parent == "content/index.md"
    assert 'ac:name="children"' in container.body
    assert info["content/more_guides/deep.md"].parent == "content/more_guides/"
    assert keys.index("content/more_guides/") < keys.index("content/more_guides/deep.md")


def test_links_between_pages_and_images_become_confluence_links(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "content/index.md": "---\ntitle: Home\n---\nSee [the list](resources/checklist.md#before-the-meeting).\n\n"
            "![diagram](images/flow.png)\n",
            "content/images/flow.png": "",
            "content/resources/checklist.md": "---\ntitle: Checklist\n---\n## Before the meeting\n\n[home](../index.md)\n",
        },
    )
    site = build_site(load_settings(cwd=tmp_path, env={}))
    home = site.page("content/index.md")  # type: ignore[arg-type]
    assert 'ri:content-title="Checklist"' in home.body
    assert "ac:image" in home.body and 'ri:filename="flow.png"' in home.body
    assert [a.filename for a in home.attachments] == ["flow.png"]
    assert len(home.attachments[0].sha256) == 64
    checklist = site.page("content/resources/checklist.md")  # type: ignore[arg-type]
    assert 'ri:content-title="Home"' in checklist.body


def test_drafts_are_not_published(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"content/index.md": "Home\n", "content/wip.md": "---\ndraft: true\n---\nNot yet.\n"},
    )
    assert "content/wip.md" not in pages_of(tmp_path)


def test_mkdocs_nav_decides_titles_order_and_sections(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "content/index.md": "# Home\nHi.\n",
            "content/b.md": "# B file\nB.\n",
            "content/a.md": "# A file\nA.\n",
            "content/ops/run.md": "# Run\nRun.\n",
            "mkdocs.yml": "site_name: x\ndocs_dir: content\nnav:\n  - Start: index.md\n  - Second: b.md\n"
            "  - First: a.md\n  - Operations:\n    - Runbook: ops/run.md\n    - Status page: https://status.example.com\n",
        },
    )
    site = build_site(load_settings(cwd=tmp_path, env={}))
    info = {p.key: p for p in site.pages}
    assert [p.title for p in site.pages][:5] == [
        "Start",
        "Second",
        "First",
        "Operations",
        "Runbook",
    ]
    section = info["nav:Operations"]
    assert section.parent == "content/index.md"
    assert 'href="https://status.example.com"' in section.body and "Status page" in section.body
    assert info["content/ops/run.md"].parent == "nav:Operations"


def test_mkdocs_nav_naming_a_missing_page_is_reported(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"content/index.md": "Hi\n", "mkdocs.yml": "nav:\n  - Home: index.md\n  - Gone: gone.md\n"},
    )
    with pytest.raises(
        InputError, match=r"mkdocs.yml: nav\[1\]: no such page in the content dir: gone.md"
    ):
        build_site(load_settings(cwd=tmp_path, env={}))


BROKEN = {
    "content/index.md": "---\ntitle: Home\n---\nA [broken link](missing.md) here.\n",
    "content/image.md": "---\ntitle: Pictures\n---\n\n\n![gone](img/nope.png)\n",
    "content/keys.md": "---\ntitle: Keys\ncolour: red\n---\nText.\n",
    "content/yaml.md": "---\ntitle: [unclosed\n---\nText.\n",
    "content/dup1.md": "---\ntitle: Same Title\n---\nOne.\n",
    "content/dup2.md": "---\ntitle: Same Title\n---\nTwo.\n",
    "content/outside.md": "---\ntitle: Outside\n---\n![secret](../../etc/passwd.png)\n",
    "content/anchor.md": "---\ntitle: Anchor\n---\n[x](index.md#no-such-heading)\n",
}


def test_check_reports_every_problem_with_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site(tmp_path, BROKEN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2, result.output
    out = result.stdout
    assert "content/index.md:4: error:" in out and "missing.md" in out
    assert "content/image.md:6: error:" in out and "img/nope.png" in out
    assert "content/keys.md:3: warning: front matter: key 'colour' is not used" in out
    assert "content/yaml.md:" in out and "invalid front matter" in out
    assert (
        "content/dup2.md: error: duplicate title 'Same Title' (also used by content/dup1.md)" in out
    )
    assert "content/outside.md" in out and "leaves the repository" in out
    assert "content/anchor.md" in out and "no-such-heading" in out
    assert "nothing was written" in result.stderr and "nothing was written" not in out


def test_check_passes_on_a_clean_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_site(
        tmp_path,
        {"content/index.md": "# Home\nHello.\n", "content/a.md": "# A\n[home](index.md)\n"},
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "ok: 2 pages checked" in result.stderr and result.stdout == ""


def test_render_writes_storage_files_and_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site(
        tmp_path,
        {
            "content/index.md": "# Home\n![d](d.png)\n",
            "content/d.png": "",
            "content/sub/page.md": "---\ntitle: Sub Page\nlabels: [extra]\n---\nText **bold**.\n",
        },
        table='labels = ["guide"]\n',
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "--out", "out"])
    assert result.exit_code == 0, result.output
    index = json.loads((tmp_path / "out" / "pages.json").read_text())
    by_title = {entry["title"]: entry for entry in index}
    assert set(by_title) == {"Home", "Sub", "Sub Page"}
    assert by_title["Sub Page"]["parent"] == "Sub"
    assert by_title["Sub Page"]["labels"] == ["guide", "extra"]
    assert by_title["Home"]["attachments"][0]["filename"] == "d.png"
    assert "<strong>bold</strong>" in (tmp_path / "out" / by_title["Sub Page"]["file"]).read_text()


def test_the_repository_guide_passes_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output


def test_template_page_hangs_under_its_configured_section_with_its_labels(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "content/index.md": "# Home\n",
            "content/help/index.md": "# Help\n",
            "content/template/postmortem.yaml": "template_page:\n  title: Blank postmortem\n"
            "  parent: help/index.md\n  labels: [pm-template]\n",
        },
        table='labels = ["guide"]\n',
    )
    site = build_site(load_settings(cwd=tmp_path, env={}))
    page = site.page("content/template/postmortem.yaml")  # type: ignore[arg-type]
    assert page.title == "Blank postmortem"
    assert page.parent == "content/help/index.md"
    assert page.labels == ("guide", "pm-template")
    index = site.page("generated:postmortems")  # type: ignore[arg-type]
    assert index.title == "Postmortems" and index.parent is None


def test_template_section_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "content/index.md": "# Home\n",
            "content/template/postmortem.yaml": "template_page:\n  parent: nowhere/index.md\n",
        },
    )
    with pytest.raises(InputError) as caught:
        build_site(load_settings(cwd=tmp_path, env={}))
    assert str(caught.value) == (
        "content/template/postmortem.yaml: template_page.parent: "
        "no page nowhere/index.md in the content dir"
    )
