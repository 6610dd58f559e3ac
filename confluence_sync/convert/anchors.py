"""Heading anchors: GitHub-style slugs, so ``#fragment`` links written for GitHub keep working.

Confluence derives its own heading ids from the page title and heading text, and they change when
either is renamed. Instead, the renderer puts an ``anchor`` macro named with the slug inside every
heading, and links carry ``ac:anchor=<slug>``. The slug → anchor mapping is therefore the identity,
but callers go through the mapping so the scheme can change in one place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

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
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(plain_text(child) for child in node.children)


def heading_slugs(headings: Iterable[SyntaxTreeNode]) -> list[str]:
    """Unique slugs for heading nodes, in document order (empty slugs stay empty)."""
    counter = SlugCounter()
    return [counter.unique(slugify(plain_text(h))) for h in headings]


def anchor_for(slug: str) -> str:
    """The ``ac:anchor`` value that reaches the heading with this slug."""
    return slug
