"""Heading anchors: GitHub-style slugs, so ``#fragment`` links written for GitHub keep working.

Confluence derives its own heading ids from the page title and heading text, and they change when
either is renamed. Instead, the renderer puts an ``anchor`` macro named with the slug inside every
heading, and links carry ``ac:anchor=<slug>``. The slug → anchor mapping is therefore the identity,
but callers go through the mapping so the scheme can change in one place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode


def slugify(text: str) -> str:
    """GitHub's rule: lowercase, drop punctuation and symbols, spaces become hyphens."""
    kept = []
    for ch in text.strip().lower():
        if ch in "-_" or ch.isalnum() or unicodedata.category(ch).startswith("M"):
            kept.append(ch)
        elif ch == " ":
            kept.append("-")
    return "".join(kept)


class SlugCounter:
    """Hands out unique slugs for one page: the second "Impact" becomes ``impact-1``."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def unique(self, slug: str) -> str:
        count = self._seen.get(slug)
        if count is None:
            self._seen[slug] = 0
            return slug
        while True:
            count += 1
            candidate = f"{slug}-{count}"
            if candidate not in self._seen:
                self._seen[slug] = count
                self._seen[candidate] = 0
                return candidate


def plain_text(node: SyntaxTreeNode) -> str:
    """The visible text of an inline subtree (what GitHub slugs and what alt text is made of)."""
    if node.type in ("text", "text_special", "code_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(plain_text(child) for child in node.children)


def token_text(tokens: Sequence[Token]) -> str:
    """``plain_text`` for a flat inline token list (cheaper than building a tree)."""
    parts = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.children:
            parts.append(token_text(token.children))
    return "".join(parts)


def heading_slugs(
    heading_texts: Iterable[str], ids: Iterable[str | None] | None = None
) -> list[str]:
    """Unique slugs for the headings' visible texts, in document order (empty slugs stay empty);
    a heading with an explicit ``{ #id }`` uses that id instead, as MkDocs does."""
    counter = SlugCounter()
    texts = list(heading_texts)
    given = list(ids) if ids is not None else [None] * len(texts)
    return [counter.unique(i or slugify(text)) for text, i in zip(texts, given, strict=False)]


def heading_ids(tokens: Sequence[Token]) -> list[str | None]:
    """The explicit id of every heading (from an attribute list), or None."""
    return [
        str(token.attrs["id"]) if token.attrs.get("id") else None
        for token in tokens
        if token.type == "heading_open"
    ]


def heading_texts(tokens: Sequence[Token]) -> list[str]:
    """Visible text of every heading in a (block-level) token stream."""
    return [
        token_text(tokens[i + 1].children or ())
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and i + 1 < len(tokens)
    ]


def anchor_for(slug: str) -> str:
    """The ``ac:anchor`` value that reaches the heading with this slug."""
    return slug
