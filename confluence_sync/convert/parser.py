"""The one place where Markdown syntax is switched on (DESIGN.md "Dialect"): the extension list.

CommonMark (the core's, ``dialect.CORE``: front matter, strikethrough) plus, in the order their
syntax plugins are applied: GFM tables, task lists, footnotes, alerts and admonitions (with
pymdown-extensions' ``///`` blocks), links and images with bare-URL autolinks, raw HTML, and the
MkDocs / pymdown-extensions extras (definition lists, attribute lists, ``~sub~``/``^sup^``,
tabs, abbreviations, marks, keys and emoji), then LaTeX math in dollars and diagram fences.
Adding a construct means adding its module under ``extensions/`` and its entry here
(docs/architecture.md, "Adding a construct").

The dialect is built once per process and reused (``default_dialect``); worker processes of a
pooled conversion build their own from the same list.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from confluence_sync.convert.dialect import Dialect
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.extensions import (
    diagrams,
    extras,
    footnotes,
    links,
    math,
    panels,
    rawhtml,
    tables,
    tasks,
)

EXTENSIONS: tuple[Extension, ...] = (
    tables.EXTENSION,
    tasks.EXTENSION,
    footnotes.EXTENSION,
    panels.EXTENSION,
    links.EXTENSION,
    rawhtml.EXTENSION,
    extras.EXTENSION,
    math.EXTENSION,
    diagrams.EXTENSION,
)


@cache
def default_dialect() -> Dialect:
    """The core with ``EXTENSIONS``: what every page of a site is converted with."""
    return Dialect.of(EXTENSIONS)


def markdown_parser() -> MarkdownIt:
    """The parser used for conversion; it renders storage with the dialect's rules."""
    return default_dialect().parser


def outline_parser() -> MarkdownIt:
    """The same syntax with inline parsing switched off: the block structure at half the cost."""
    return default_dialect().outline_parser


def outline_tokens(text: str) -> list[Token]:
    """Block tokens of ``text``, with inline content parsed only where an anchor can come from.

    ``heading_anchors`` runs over every page of a site before any page is converted, so it parses
    the inline content of headings and of blocks mentioning ``<a`` only.
    """
    if "[^" in text:  # footnotes: which definitions survive depends on inline references
        return markdown_parser().parse(text, {})
    md = outline_parser()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if token.type != "inline":
            continue
        if (previous is not None and previous.type == "heading_open") or may_name(token.content):
            token.children = md.inline.parse(token.content, md, env, [])
    return tokens


def may_name(content: str) -> bool:
    """Whether inline content may hold an anchor: raw HTML ``<a name>`` or ``id``, or ``{#id}``."""
    lower = content.lower()
    return "<a" in lower or "id=" in lower or "{" in content
