"""sphinxcontrib-confluencebuilder publishes a small Sphinx project (a toctree and an image)
with its ``confluence`` builder and publishing on: REST v1 on Data Center and Cloud, and
REST v2 on Cloud (``confluence_api_mode = "v2"``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from client_runs import copy_site, tool

pytestmark = pytest.mark.clients


@pytest.mark.parametrize(
    ("mode", "api"), [("server", "v1"), ("cloud", "v1"), ("cloud", "v2")], ids=str
)
def test_sphinx_confluence_builder_publishes_twice(
    serve: Any, tmp_path: Path, mode: str, api: str
) -> None:
    sphinx_build = tool("sphinx-build")
    pytest.importorskip("sphinxcontrib.confluencebuilder", reason="the clients extra")
    wiki = serve(mode)
    project = copy_site("sphinx", tmp_path / "project")
    env = {
        "WIKI_URL": wiki.base + "/",
        "WIKI_USER": wiki.user,
        "WIKI_TOKEN": wiki.token,
        "WIKI_API_MODE": api,
    }
    command = [sphinx_build, "-q", "-E", "-b", "confluence", str(project), str(tmp_path / "out")]
    first, second = wiki.run_twice(command, env, tmp_path)

    assert first["Sphinx Home"]["ancestors"] == ["DEV Home"]
    assert "img.png" in first["Sphinx Home"]["attachments"]
    for child in ("Usage", "Details"):  # the toctree is the page tree
        assert first[child]["ancestors"] == ["DEV Home", "Sphinx Home"]
    assert set(second) == set(first)
    wiki.assert_documented()
