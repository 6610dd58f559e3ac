"""Heading anchors: GitHub-style slugs, so ``#fragment`` links written for GitHub keep working.

Confluence derives its own heading ids from the page title and heading text, and they change when
either is renamed. Instead, the renderer puts an ``anchor`` macro named with the slug inside every
heading, and links carry ``ac:anchor=<slug>``. The slug → anchor mapping is therefore the identity,
but callers go through the mapping so the scheme can change in one place.

The page outline is core, not an extension's: every page's anchors are needed before any page
is rendered (to check ``#fragment`` links across the site), so the names raw HTML gives
(``<a name>``, ``id``) and ``{ #id }`` attribute lists are read here from the tokens.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros
from confluence_sync.convert.htmltokens import html_ids


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


def id_anchor(node: SyntaxTreeNode) -> str:
    """The anchor for an ``{ #id }`` attribute on this node, or ""."""
    ident = node.attrs.get("id")
    return macros.anchor(str(ident)) if ident else ""


def named_anchors(tokens: Sequence[Token]) -> list[str]:
    """Anchor names from raw HTML anywhere in a token stream (``<a name>``, ``id``), for the
    page outline that ``#fragment`` links are checked against.

    Inline children are parsed from their parent's ``content``: without a ``<`` (raw HTML) or
    a ``{`` (an attribute list) in it, none of them can name an anchor, so they are skipped."""
    names = []
    for token in tokens:
        if token.type in ("html_inline", "html_block"):
            names.extend(html_ids(token.content))
        elif token.attrs.get("id") and token.type != "heading_open":  # { #id } attribute lists
            names.append(str(token.attrs["id"]))
        if token.children and (
            token.type != "inline" or "<" in token.content or "{" in token.content
        ):
            names.extend(named_anchors(token.children))
    return names
