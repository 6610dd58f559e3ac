"""md2cf and mkdocs-with-confluence, both REST v1 only, on Data Center and on Cloud.

They live in their own environment (see ``md2cf_tool``): md2cf pins requests==2.31.0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from client_runs import copy_site, md2cf_tool

pytestmark = pytest.mark.clients


@pytest.mark.parametrize("mode", ["server", "cloud"])
def test_md2cf_publishes_a_folder_twice(serve: Any, tmp_path: Path, mode: str) -> None:
    md2cf = md2cf_tool("md2cf")
    wiki = serve(mode)
    site = copy_site("markdown", tmp_path / "site")
    env = {
        "CONFLUENCE_HOST": wiki.base + "/rest/api",
        "CONFLUENCE_USERNAME": wiki.user,
        "CONFLUENCE_PASSWORD": wiki.token,
        "CONFLUENCE_SPACE": "DEV",
    }
    command = [md2cf, "--enable-relative-links", "-a", "DEV Home", str(site)]
    first, _ = wiki.run_twice(command, env, tmp_path)

    assert first["Client Home"]["ancestors"] == ["DEV Home"]
    assert first["Client Home"]["attachments"] == ["img.png"]
    assert first["Setup"]["ancestors"] == ["DEV Home", "guide"]  # a folder becomes a page
    assert first["Guide"]["ancestors"] == ["DEV Home", "guide"]
    wiki.assert_documented()


@pytest.mark.parametrize("mode", ["server", "cloud"])
def test_mkdocs_with_confluence_publishes_its_nav_twice(
    serve: Any, tmp_path: Path, mode: str
) -> None:
    mkdocs = md2cf_tool("mkdocs")
    wiki = serve(mode)
    project = copy_site("mkdocs", tmp_path / "project", image_dir="docs")
    env = {
        "WIKI_CONTENT_URL": wiki.base + "/rest/api/content",
        "JIRA_USERNAME": wiki.user,
        "JIRA_PASSWORD": wiki.token,
        "MKDOCS_TO_CONFLUENCE": "1",
    }
    first, _ = wiki.run_twice([mkdocs, "build", "-q"], env, project)

    assert first["Home"]["ancestors"] == ["DEV Home"]
    assert first["Home"]["attachments"] == ["img.png"]
    assert first["Guide"]["ancestors"] == ["DEV Home"]  # a nav section becomes a page
    assert first["Setup"]["ancestors"] == ["DEV Home", "Guide"]
    wiki.assert_documented()
