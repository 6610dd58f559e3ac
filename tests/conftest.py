"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from publish_helpers import API_TARGETS, ApiWiki, write_project

from confluence_sync.localwiki import LocalWiki

# CI draws the same examples on every run, so a red CI is always a reproducible failure of the
# change under test; local runs keep exploring new examples (and find the next bug there).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def local_wiki(tmp_path: Path) -> Iterator[LocalWiki]:
    """A fresh, started local wiki (Cloud mode, space DEV, admin/admin) for one test."""
    wiki = LocalWiki(tmp_path / "wiki")
    wiki.start()
    try:
        yield wiki
    finally:
        wiki.stop()


@pytest.fixture(params=API_TARGETS)
def api_wiki(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ApiWiki]:
    """A fresh local wiki, once per gateway x mode: v1 on Data Center, v1 on Cloud, v2 on
    Cloud. ``wiki.api`` and ``wiki.env()`` tell the test how to publish to it."""
    wiki = ApiWiki(tmp_path / "wiki", request.param)
    wiki.start()
    try:
        yield wiki
    finally:
        wiki.stop()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small guide (three pages, an image) in a scratch repository, as the working
    directory, with no CI or target variables leaking in from the environment."""
    root = write_project(tmp_path / "repo")
    monkeypatch.chdir(root)
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE", "CONFLUENCE_USER"):
        monkeypatch.delenv(name, raising=False)
    return root
