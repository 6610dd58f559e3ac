"""The conversion cache: a second run with nothing changed converts nothing, output is the same
with and without it, anything a page depends on invalidates its entry, and a damaged cache is
ignored."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from confluence_sync import convert
from confluence_sync.config import load_settings
from confluence_sync.errors import InputError
from confluence_sync.source import Site, build_site, conversion
from confluence_sync.source.cache_pack import TEMP_PREFIX, PackReader, PackWriter
from confluence_sync.source.conversion import CACHE_DIR
from confluence_sync.template import render as template_render

REPO = Path(__file__).resolve().parent.parent


def guide_copy(tmp_path: Path) -> Path:
    """The repository's own guide and template, in a project of their own."""
    root = tmp_path / "guide"
    shutil.copytree(REPO / "content", root / "content")
    table = (REPO / "pyproject.toml").read_text(encoding="utf-8").split("[tool.confluence-sync]")
    (root / "pyproject.toml").write_text("[tool.confluence-sync]" + table[1], encoding="utf-8")
    return root


def build(root: Path, *, cache: bool = True) -> Site:
    return build_site(load_settings(cwd=root, env={}), cache=cache)


def snapshot(site: Site) -> list[object]:
    return [site.pages, [(p.key, p.digest, p.body) for p in site.pages], site.warnings]


class ParseCounter:
    """Counts the guide pages parsed (the template's own Markdown snippets are not pages)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pages: list[str] = []
        real = convert.parse_markdown

        def counting(text: str, **options: Any) -> convert.ParsedPage:
            self.pages.append(text)
            return real(text, **options)

        monkeypatch.setattr(conversion, "parse_markdown", counting)


def test_unchanged_guide_is_not_parsed_again_and_comes_out_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = guide_copy(tmp_path)
    plain = snapshot(build(root, cache=False))
    assert not (root / CACHE_DIR).exists()
    counter = ParseCounter(monkeypatch)
    snippets: list[str] = []
    real = template_render.markdown_to_storage

    def counting(text: str) -> str:
        snippets.append(text)
        return real(text)

    monkeypatch.setattr(template_render, "markdown_to_storage", counting)
    cold = snapshot(build(root))
    parsed_cold, snippets_cold = len(counter.pages), len(snippets)
    warm = snapshot(build(root))
    assert parsed_cold >= 5 and len(counter.pages) == parsed_cold  # the warm run parsed nothing
    assert snippets_cold >= 5 and len(snippets) == snippets_cold  # not the template page either
    assert plain == cold == warm
    template = root / "content" / "template" / "postmortem.yaml"
    template.write_text(template.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert snapshot(build(root)) == plain and len(snippets) == 2 * snippets_cold


def site_with_links(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content" / "img").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.confluence-sync]\n", encoding="utf-8")
    (root / "content" / "index.md").write_text("# Home\n\nStart.\n", encoding="utf-8")
    (root / "content" / "a.md").write_text(
        "# Page A\n\nSee [the steps](b.md#steps).\n\n![chart](img/c.png)\n", encoding="utf-8"
    )
    (root / "content" / "b.md").write_text("# Page B\n\n## Steps\n\nOne.\n", encoding="utf-8")
    (root / "content" / "img" / "c.png").write_bytes(b"\x89PNG first")
    return root


def page_a(site: Site) -> str:
    return next(p.body for p in site.pages if p.key == "content/a.md")


def test_a_page_is_converted_again_when_what_it_links_to_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with_links(tmp_path)
    build(root)
    counter = ParseCounter(monkeypatch)
    b = root / "content" / "b.md"
    b.write_text("---\ntitle: Renamed B\n---\n## Steps\n\nOne.\n", encoding="utf-8")
    renamed = build(root)
    assert len(counter.pages) == 2  # b.md, and a.md whose link now has another title
    assert 'ri:content-title="Renamed B"' in page_a(renamed)
    assert page_a(renamed) == page_a(build(root, cache=False))

    (root / "content" / "img" / "c.png").write_bytes(b"\x89PNG second")
    image = next(p for p in build(root).pages if p.key == "content/a.md").attachments
    fresh = next(p for p in build(root, cache=False).pages if p.key == "content/a.md")
    assert image == fresh.attachments

    b.write_text("---\ntitle: Renamed B\n---\n## Other\n\nOne.\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        build(root)
    assert any("steps" in str(p) and p.path == "content/a.md" for p in raised.value.problems)


def pack_file(root: Path) -> Path:
    (path,) = (root / CACHE_DIR).glob("conversion-*.pack")
    return path


def entries(root: Path) -> dict[str, tuple[dict[str, Any], bytes]]:
    """The cache's documents and packed pages by entry name, read the way a run reads them."""
    reader = PackReader(pack_file(root))
    found = {}
    try:
        for name in reader.index:
            text, _, packed = (reader.payload(name) or b"null\n").partition(b"\n")
            found[name] = (json.loads(text), packed)
    finally:
        reader.close()
    return found


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],  # trailer edited
        lambda data: b"not a cache at all",
        lambda data: b"",
    ],
)
def test_a_damaged_cache_is_ignored_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[bytes], bytes]
) -> None:
    root = site_with_links(tmp_path)
    expected = snapshot(build(root))
    assert len(entries(root)) == 3
    path = pack_file(root)
    path.write_bytes(damage(path.read_bytes()))
    counter = ParseCounter(monkeypatch)
    assert snapshot(build(root)) == expected
    assert len(counter.pages) == 3  # everything converted again
    assert snapshot(build(root)) == expected and len(counter.pages) == 3  # and cached again


def test_an_entry_edited_in_place_is_converted_again_and_only_that_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same length, so the file's index still checks out: the entry's own checksum catches it."""
    root = site_with_links(tmp_path)
    expected = snapshot(build(root))
    path = pack_file(root)
    data = path.read_bytes()
    key = b'"key":"content/index.md"'  # the page says "Start."
    assert data.count(key) == 1
    path.write_bytes(data.replace(key, key.replace(b"index", b"indey")))
    counter = ParseCounter(monkeypatch)
    assert snapshot(build(root)) == expected
    assert len(counter.pages) == 1 and "Start." in counter.pages[0]


def test_an_entry_of_the_wrong_shape_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even behind a valid checksum (a bug in an older build), a malformed entry is a miss."""
    root = site_with_links(tmp_path)
    expected = snapshot(build(root))
    writer = PackWriter(pack_file(root))
    for name, (document, packed) in entries(root).items():
        if document["key"] == "content/a.md":
            document["problems"] = [["x", "y", "not a line", "error"]]
        elif document["key"] == "content/index.md":
            document["queries"] = json.dumps([["unknown", "q"], ["page"]])
        elif document["key"] == "content/b.md":
            document["key"] = "content/index.md"  # another page's entry under b's name
        writer.add(name, json.dumps(document).encode() + b"\n" + packed)
    writer.finish()
    counter = ParseCounter(monkeypatch)
    assert snapshot(build(root)) == expected
    assert len(counter.pages) == 3


def test_an_entry_whose_page_does_not_unpack_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's XHTML is stored packed after the JSON document; behind a valid checksum,
    bytes that do not unpack are a miss, never a crash or a wrong page."""
    root = site_with_links(tmp_path)
    expected = snapshot(build(root))
    writer = PackWriter(pack_file(root))
    for name, (document, packed) in entries(root).items():
        writer.add(name, json.dumps(document).encode() + b"\n" + packed[: len(packed) // 2])
    writer.finish()
    counter = ParseCounter(monkeypatch)
    assert snapshot(build(root)) == expected
    assert len(counter.pages) == 3


def test_one_file_holds_the_cache_and_is_not_rewritten_when_nothing_changed(
    tmp_path: Path,
) -> None:
    root = site_with_links(tmp_path)
    build(root)
    (path,) = (root / CACHE_DIR).iterdir()
    first = path.stat().st_ino  # a rewrite goes through a new file renamed over the old one
    build(root)
    assert list((root / CACHE_DIR).iterdir()) == [path] and path.stat().st_ino == first
    (root / "content" / "b.md").write_text("# Page B\n\n## Steps\n\nTwo.\n", encoding="utf-8")
    build(root)
    assert path.stat().st_ino != first and len(entries(root)) == 3


def test_entries_of_removed_pages_and_other_versions_are_deleted(tmp_path: Path) -> None:
    root = site_with_links(tmp_path)
    build(root)
    stale = root / CACHE_DIR / "conversion-from-another-version"
    stale.mkdir()
    older = root / CACHE_DIR / "conversion-0123.pack"
    older.write_bytes(b"an older tool's cache")
    (root / "content" / "index.md").unlink()
    build(root)
    assert sorted(d["key"] for d, _ in entries(root).values()) == ["content/a.md", "content/b.md"]
    assert not stale.exists() and not older.exists()


def test_a_file_left_by_a_crashed_run_is_removed_later(tmp_path: Path) -> None:
    root = site_with_links(tmp_path)
    build(root)
    folder = root / CACHE_DIR
    crashed, recent = folder / f"{TEMP_PREFIX}crashed", folder / f"{TEMP_PREFIX}writing"
    crashed.write_bytes(b"half a cache")
    recent.write_bytes(b"another run's cache, being written")
    hours_ago = time.time() - 2 * 3600
    os.utime(crashed, (hours_ago, hours_ago))
    build(root)
    assert not crashed.exists() and recent.exists()
