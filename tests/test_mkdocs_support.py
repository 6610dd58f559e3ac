"""With the default renderer, ``check`` names each plugin, hook and Markdown extension of
mkdocs.yml that it does not implement, and says that ``renderer = "mkdocs"`` handles them
(issue 33, point 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli

MKDOCS_YML = """site_name: Site
plugins:
  - search
  - mkdocstrings:
      handlers: {python: {paths: [src]}}
  - literate-nav
hooks: [hooks.py]
markdown_extensions:
  - toc: {permalink: true}
  - admonition
  - pymdownx.superfences
  - callouts
  - pymdownx.magiclink: {repo_url_shorthand: true}
"""


def test_check_names_what_the_default_renderer_does_not_implement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nHello.\n")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "pyproject.toml").write_text('[tool.confluence-sync]\ncontent_dir = "docs"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output  # warnings: the site still publishes
    named = [line for line in result.output.splitlines() if 'renderer = "mkdocs"' in line]
    assert sorted(line.split(": ")[2] for line in named) == [
        "Markdown extension callouts",
        "Markdown extension pymdownx.magiclink",
        "hook hooks.py",
        "plugin literate-nav",
        "plugin mkdocstrings",
    ]
    assert all(line.startswith("mkdocs.yml: warning:") for line in named)
