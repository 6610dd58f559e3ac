"""Opt-in smoke test over a real MkDocs site: the pymdown-extensions documentation.

Not vendored (its text is not ours). To run it::

    pip download --no-deps --no-binary :all: pymdown-extensions==10.16.1 -d /tmp/pmd
    tar xzf /tmp/pmd/pymdown_extensions-10.16.1.tar.gz -C /tmp/pmd
    CONFLUENCE_SYNC_PYMDOWN_DOCS=/tmp/pmd/pymdown_extensions-10.16.1 pytest tests/test_convert_pymdown_docs.py

Every page must convert to well-formed storage, with no allowlisted HTML tag left as text, every
``!!!`` admonition a panel, no ``/// block`` left as text, and no problems other than the snippet its ``mkdocs.yml`` lists as a
base path (a file, which we do not read as a folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from convert_helpers import assert_storage_xml

from confluence_sync.convert import Snippets, convert_markdown
from confluence_sync.convert.htmltags import TAGS

ROOT = os.environ.get("CONFLUENCE_SYNC_PYMDOWN_DOCS")
pytestmark = pytest.mark.skipif(not ROOT, reason="set CONFLUENCE_SYNC_PYMDOWN_DOCS to run")
CODE = re.compile(r"<code>.*?</code>|<ac:parameter ac:name=\"title\">.*?</ac:parameter>", re.S)


def _pages() -> list[Path]:
    docs = Path(ROOT or ".") / "docs" / "src" / "markdown"
    return [p for p in sorted(docs.rglob("*.md")) if ".snippets" not in p.parts]


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_every_page_converts_without_losing_allowlisted_html(page: Path) -> None:
    root = Path(ROOT or ".").resolve()
    snippets = Snippets(root, (root, root / "docs" / "src" / "markdown" / ".snippets"))
    text = page.read_text(encoding="utf-8") + '\n--8<-- "refs.md"\n'
    doc = convert_markdown(text, source=page.name, snippets=snippets)
    assert_storage_xml(doc.xhtml)
    prose = CODE.sub("", doc.xhtml)
    shown = {m.lower() for m in re.findall(r"&lt;/?([a-zA-Z]+)[ &/]", prose)} & set(TAGS)
    assert not shown - {"img"}, shown  # emoji.md writes <img ... class="x"src=...>: not HTML
    assert not re.search(r"<p>/{3,} ?[a-z]", prose), "a /// block left as text"
    admonitions = len(re.findall(r"^!!! ", text, re.M))
    panels = len(re.findall(r'ac:name="(?:info|tip|note|warning)"', doc.xhtml))
    assert panels >= admonitions
    assert {p.message for p in doc.problems} <= {"snippet not found: SECURITY.md"}


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_every_page_converts_identically_when_cut_into_chunks(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunked path (pages over ``CHUNK_CHARS``) on pages nobody here wrote: cut at every
    place it may be, each page gives what it gives whole."""
    root = Path(ROOT or ".").resolve()
    snippets = Snippets(root, (root, root / "docs" / "src" / "markdown" / ".snippets"))
    text = page.read_text(encoding="utf-8") + '\n--8<-- "refs.md"\n'
    whole = convert_markdown(text, source=page.name, snippets=snippets)
    monkeypatch.setattr("confluence_sync.convert.chunks.CHUNK_CHARS", 1)
    assert convert_markdown(text, source=page.name, snippets=snippets) == whole
