"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from publish_helpers import API_TARGETS, ApiWiki

from confluence_sync.localwiki import LocalWiki


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
