"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
