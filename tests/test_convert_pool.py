"""Converting on several processes gives exactly what one process gives, cache or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_convert_cache import guide_copy, site_with_links

from confluence_sync.config import load_settings
from confluence_sync.source import conversion, pool
from confluence_sync.source.page_tree import walk
from confluence_sync.source.read import read_tree


def convert_both_ways(root: Path, cache: bool) -> tuple[object, object]:
    settings = load_settings(cwd=root, env={})
    nodes = walk(read_tree(settings, {}).nodes)

    def run(processes: int) -> object:
        store = conversion.cache_for(settings) if cache else None
        return conversion.convert_pages(settings, nodes, store, processes=processes)

    return run(1), run(3)


def test_the_guide_converts_identically_on_three_processes(tmp_path: Path) -> None:
    serial, pooled = convert_both_ways(guide_copy(tmp_path), cache=False)
    assert serial == pooled


def test_spawned_workers_build_their_own_converter_and_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where forking is unsafe (another thread runs) the pool spawns fresh interpreters: they
    receive what to run by name (``ShareWork``) and build the dialect from the extension list
    themselves; the output is the serial one."""
    import multiprocessing

    monkeypatch.setattr(pool, "_context", lambda: multiprocessing.get_context("spawn"))
    serial, pooled = convert_both_ways(guide_copy(tmp_path), cache=False)
    assert serial == pooled


def test_pool_fills_and_uses_the_cache_like_the_serial_path(tmp_path: Path) -> None:
    root = site_with_links(tmp_path)
    serial, pooled = convert_both_ways(root, cache=True)  # pooled run reads serial's cache
    assert serial == pooled
    (root / "content" / "b.md").write_text("# Page B\n\n## Steps\n\nTwo.\n", encoding="utf-8")
    (root / "content" / "img" / "c.png").write_bytes(b"\x89PNG changed")
    settings = load_settings(cwd=root, env={})
    nodes = walk(read_tree(settings, {}).nodes)
    pooled = conversion.convert_pages(settings, nodes, conversion.cache_for(settings), processes=2)
    plain = conversion.convert_pages(settings, nodes, None, processes=1)
    assert pooled == plain


def test_a_site_too_large_to_keep_its_tokens_converts_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the size where every page's tokens are kept, anchors come from the outline pass
    and pages are parsed one at a time: same output, serial or pooled."""
    root = guide_copy(tmp_path)
    kept, _ = convert_both_ways(root, cache=False)
    monkeypatch.setattr(conversion, "KEEP_TOKENS_BYTES", 0)
    lean, lean_pooled = convert_both_ways(root, cache=False)
    assert kept == lean == lean_pooled
