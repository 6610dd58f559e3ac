"""An MkDocs site passes `check` (issue 13, source side): MkDocs and Material front matter,
problems without cascades, mkdocs.yml tags and settings, pages left out of the nav."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.config import load_settings
from confluence_sync.errors import InputError
from confluence_sync.source import Site, build_site


def site(root: Path, files: dict[str, str], table: str = "") -> Path:
    (root / "pyproject.toml").write_text(f"[tool.confluence-sync]\n{table}", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(root: Path, env: dict[str, str] | None = None) -> Site:
    return build_site(load_settings(cwd=root, env={}), env=env or {})


def problems_of(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        build(root)
    return [p.display() for p in caught.value.problems]


MATERIAL_PAGE = """---
title: Incident reviews
description: How we run blameless incident reviews & why.
tags: [SRE, Postmortem]
template: custom.html
hide: [navigation, toc]
status: new
icon: material/book
subtitle: The basics
authors: [ana, bo]
date: 2024-05-01
search:
  boost: 2
comments: true
render_macros: false
cover: cover.png
---

Body text.
"""


def test_mkdocs_and_material_front_matter_is_accepted_and_mapped(tmp_path: Path) -> None:
    site(tmp_path, {"content/index.md": MATERIAL_PAGE})
    built = build(tmp_path)
    (page,) = built.pages
    assert built.warnings == ()
    assert page.title == "Incident reviews"
    assert page.labels == ("sre", "postmortem")
    excerpt = (
        '<ac:structured-macro ac:name="excerpt"><ac:parameter ac:name="hidden">true'
        "</ac:parameter><ac:rich-text-body><p>How we run blameless incident reviews &amp; why."
        "</p></ac:rich-text-body></ac:structured-macro>"
    )
    assert page.body.startswith(excerpt)
    assert "<p>Body text.</p>" in page.body


def test_an_unknown_key_is_a_warning_and_check_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site(tmp_path, {"content/index.md": "---\ntitle: Home\nreviewer: ana\n---\nText.\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "content/index.md:3: warning: front matter: key 'reviewer' is not used by "
        "confluence-sync and is ignored\n"
    )
    assert result.stderr == "config: pyproject.toml\nok: 1 pages checked (1 warning)\n"


@pytest.mark.parametrize(("typo", "known"), [("titel", "title"), ("wieght", "weight")])
def test_a_key_close_to_a_known_one_is_an_error_with_a_suggestion(
    tmp_path: Path, typo: str, known: str
) -> None:
    site(tmp_path, {"content/index.md": f"---\n{typo}: 1\n---\n# Home\n"})
    assert problems_of(tmp_path) == [
        f"content/index.md:2: error: front matter: unknown key '{typo}' (did you mean '{known}'?)"
    ]


def test_strict_front_matter_makes_every_unknown_key_an_error(tmp_path: Path) -> None:
    page = "---\nreviewer: ana\ntags: [x]\n---\n# Home\n"
    site(tmp_path, {"content/index.md": page}, table="strict_front_matter = true\n")
    assert problems_of(tmp_path) == [
        "content/index.md:2: error: front matter: unknown key 'reviewer' (strict_front_matter)"
    ]


def test_a_front_matter_problem_does_not_hide_the_page_or_its_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "content/index.md": "# Home\n\nSee [what](what_is.md).\n",
        "content/what_is.md": "---\ntitel: What\nweight: heavy\n---\n# What\n\n[gone](gone.md)\n",
        "mkdocs.yml": "nav:\n  - Home: index.md\n  - What is it: what_is.md\n",
    }
    site(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "content/what_is.md:2: error: front matter: unknown key 'titel' (did you mean 'title'?)",
        "content/what_is.md:3: error: front matter: weight: Input should be a valid integer",
        "content/what_is.md:7: error: link to missing page gone.md",
    ]
    assert result.stderr == "config: pyproject.toml\nError: 3 errors found; nothing was written.\n"


# mkdocs.yml --------------------------------------------------------------------------------------
def test_mkdocs_yml_tags_are_read_without_executing_anything(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    mkdocs = f"""site_name: !ENV [SITE_NAME, Fallback guide]
docs_dir: !ENV DOCS_DIR
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
  - pymdownx.superfences:
      custom_fences:
        - name: run
          format: !!python/object/apply:os.system ["touch {marker}"]
nav:
  - Home: index.md
"""
    site(tmp_path, {"content/index.md": "Hello.\n", "mkdocs.yml": mkdocs})
    (page,) = build(tmp_path, env={"DOCS_DIR": "content"}).pages
    assert page.title == "Fallback guide"  # site_name (the !ENV default) names the top page
    assert not marker.exists()
    (page,) = build(tmp_path, env={"DOCS_DIR": "content", "SITE_NAME": "Our guide"}).pages
    assert page.title == "Our guide"


def test_docs_dir_that_is_not_the_content_dir_is_an_error(tmp_path: Path) -> None:
    files = {"content/index.md": "# Home\n", "mkdocs.yml": "docs_dir: docs\nnav:\n  - index.md\n"}
    site(tmp_path, files)
    assert problems_of(tmp_path) == [
        'mkdocs.yml: error: docs_dir is docs, but content_dir is content; set content_dir = "docs"'
        " in [tool.confluence-sync]"
    ]


NAV_SITE = {
    "content/index.md": "# Welcome\n",
    "content/ops/index.md": "# Operations\n",
    "content/ops/runbook.md": "# Runbook\n",
    "content/ops/extra.md": "# Extra\n",
    "content/ops/hidden.md": "# Hidden\n",
    "content/ops/private/secret.md": "# Secret\n",
    "content/drafts/idea.md": "# Idea\n",
    "content/wip.md": "---\ndraft: true\n---\n# WIP\n",
    "mkdocs.yml": """site_name: Postmortem guide
nav:
  - Home: index.md
  - Operations:
    - ops/index.md
    - Runbook: ops/runbook.md
    - Status page: https://status.example.com
  - Work in progress: wip.md
  - Source: https://git.example.com/guide
not_in_nav: |
  /ops/hidden.md
exclude_docs: |
  private/
draft_docs: |
  drafts/
""",
}


def test_nav_links_leftovers_and_mkdocs_patterns(tmp_path: Path) -> None:
    site(tmp_path, NAV_SITE)
    built = build(tmp_path)
    pages = {p.key: p for p in built.pages}
    home = pages["content/index.md"]
    assert home.title == "Postmortem guide"  # the nav calls it Home: site_name names it
    assert 'href="https://git.example.com/guide"' in home.body and "Source" in home.body
    ops = pages["content/ops/index.md"]
    assert ops.title == "Operations" and ops.parent == "content/index.md"
    assert 'href="https://status.example.com"' in ops.body and "Status page" in ops.body
    assert pages["content/ops/extra.md"].parent == "content/ops/index.md"
    assert pages["content/ops/hidden.md"].parent == "content/ops/index.md"
    assert not {"content/ops/private/secret.md", "content/drafts/idea.md", "content/wip.md"} & set(
        pages
    )
    assert [w.display() for w in built.warnings] == [
        "content/ops/extra.md: warning: page is not in the mkdocs.yml nav; "
        "it is published under 'Operations'"
    ]


def test_a_nav_label_repeated_in_another_section_gets_its_section_title(tmp_path: Path) -> None:
    files = {
        "content/index.md": "# Home\n",
        "content/a/details.md": "# Details\n",
        "content/b/details.md": "# Details\n",
        "mkdocs.yml": "nav:\n  - Home: index.md\n  - Alpha:\n    - Details: a/details.md\n"
        "  - Beta:\n    - Details: b/details.md\n",
    }
    site(tmp_path, files)
    built = build(tmp_path)
    titles = {p.key: p.title for p in built.pages}
    assert titles["content/a/details.md"] == "Details"
    assert titles["content/b/details.md"] == "Details (Beta)"
    assert [w.display() for w in built.warnings] == [
        "mkdocs.yml: warning: nav title 'Details' is also used by content/a/details.md; "
        "published as 'Details (Beta)'"
    ]


def test_check_on_github_annotates_warnings_as_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site(tmp_path, {"content/index.md": "---\ntitle: Home\nreviewer: ana\n---\nText.\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--github"])
    assert result.exit_code == 0, result.output
    assert "::warning file=content/index.md,line=3::front matter: key 'reviewer'" in result.stdout


def test_many_sections_that_open_with_their_index_page_are_all_kept(tmp_path: Path) -> None:
    """The pymdown-extensions nav: sections whose first entry is their index page. Walking them
    once falsely reported "the nav repeats an earlier section" (a copied list's id reused)."""
    files = {"content/index.md": "# Home\n"}
    nav = ["nav:", "  - Home: index.md"]
    for n in range(12):
        files[f"content/s{n}/index.md"] = f"# Section {n}\n"
        files[f"content/s{n}/page.md"] = f"# Page {n}\n"
        nav += [f"  - Section {n}:", f"    - s{n}/index.md", f"    - Page {n}: s{n}/page.md"]
    files["mkdocs.yml"] = "site_name: X\ndocs_dir: content\n" + "\n".join(nav) + "\n"
    built = build(site(tmp_path, files, 'mkdocs = "mkdocs.yml"\n'))
    titles = {p.title for p in built.pages}
    assert {f"Section {n}" for n in range(12)} | {f"Page {n}" for n in range(12)} <= titles


def test_snippets_are_found_through_the_sites_base_path(tmp_path: Path) -> None:
    files = {
        "content/index.md": '# Home\n\n--8<-- "part.md"\n\n--8<-- "LICENSE.md"\n',
        "snips/part.md": "From the snippets folder.\n",
        "LICENSE.md": "Licensed to all.\n",
        "mkdocs.yml": (
            "site_name: X\ndocs_dir: content\nmarkdown_extensions:\n"
            "  - pymdownx.snippets:\n      base_path: [snips, LICENSE.md]\n"
        ),
    }
    built = build(site(tmp_path, files, 'mkdocs = "mkdocs.yml"\n'))
    (home,) = (p for p in built.pages if p.title == "Home")
    assert "From the snippets folder." in home.body and "Licensed to all." in home.body


def test_a_changed_snippet_file_is_not_served_from_the_conversion_cache(tmp_path: Path) -> None:
    files = {
        "content/index.md": '# Home\n\n--8<-- "part.md"\n',
        "content/part.md": "First wording.\n",
        "mkdocs.yml": "site_name: X\ndocs_dir: content\nnav:\n  - Start: index.md\n",
    }
    root = site(tmp_path, files, 'mkdocs = "mkdocs.yml"\n')

    def home() -> str:
        built = build_site(load_settings(cwd=root, env={}), env={}, cache=True)
        return next(p.body for p in built.pages if p.title == "Start")

    assert "First wording." in home() and "First wording." in home()  # cached the second time
    (root / "content" / "part.md").write_text("Second wording.\n")
    assert "Second wording." in home()
