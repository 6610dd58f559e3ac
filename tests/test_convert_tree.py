"""The converter's speed-ups keep markdown-it's semantics: same tree, same errors, no garbage."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import attachment_set, parse_markdown, render_parsed
from confluence_sync.convert.attachment_set import AttachmentSet, FileDigests
from confluence_sync.convert.parser import markdown_parser
from confluence_sync.convert.syntax_tree import release, syntax_tree

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "convert").rglob("*.md"))


def _shape(node: SyntaxTreeNode, parent: SyntaxTreeNode | None = None) -> Any:
    """Structure with token identities; also checks every parent link."""
    assert node.parent is parent
    pair = node.nester_tokens
    return (
        node.type,
        id(node.token),
        (id(pair.opening), id(pair.closing)) if pair else None,
        [_shape(child, node) for child in node.children],
    )


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_syntax_tree_matches_markdown_it(path: Path) -> None:
    tokens = markdown_parser().parse(path.read_text(encoding="utf-8"))
    assert _shape(syntax_tree(tokens)) == _shape(SyntaxTreeNode(tokens))


@pytest.mark.parametrize("drop", [0, 2, 3, -1])
def test_syntax_tree_refuses_what_markdown_it_refuses(drop: int) -> None:
    tokens = markdown_parser().parse("# T\n\n- a *b*\n- c\n\n> q\n")
    del tokens[drop]
    with pytest.raises(ValueError):
        SyntaxTreeNode(tokens)
    with pytest.raises(ValueError):
        syntax_tree(tokens)


def test_unclosed_inline_children_are_refused() -> None:
    tokens = markdown_parser().parse("a *b*\n")
    inline = tokens[1]
    assert inline.children is not None
    inline.children = [t for t in inline.children if t.type != "em_close"]
    with pytest.raises(ValueError):
        syntax_tree(tokens)


def test_rendering_leaves_no_cyclic_garbage() -> None:
    parsed = parse_markdown(FIXTURES[0].read_text(encoding="utf-8"))
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        render_parsed(parsed)
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_release_empties_the_tree() -> None:
    root = syntax_tree([Token("paragraph_open", "p", 1), Token("paragraph_close", "p", -1)])
    release(root)
    assert root.children == []


def test_file_digests_hash_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = tmp_path / "d.png"
    image.write_bytes(b"png")
    calls: list[Path] = []
    real = attachment_set.file_sha256

    def counting(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(attachment_set, "file_sha256", counting)
    digests = FileDigests()
    first = AttachmentSet(digests).add(image)
    second = AttachmentSet(digests).add(image)
    assert calls == [image]
    assert first == second and first.sha256 == real(image)
