"""The H1 a page takes its title from, found by the Markdown parser rather than a pattern.

A pattern on ``# `` lines saw neither setext headings (``Title`` over ``=====``) nor the
difference between the heading's source and what a reader sees: the title of
``# Heading with **bold**`` is "Heading with bold", as Confluence shows page titles as plain
text. The parser gives both the heading's lines and its inline content, so the title is the
heading's visible text (code spans' content, entities decoded, link and image text kept, raw
HTML tags left out) and the lines to blank are exactly the heading's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from confluence_sync.convert.anchors import token_text
from confluence_sync.convert.parser import outline_parser


@dataclass(frozen=True)
class FirstH1:
    """The first top-level H1 of a body: its plain text and its lines (0-based, end exclusive)."""

    text: str
    start: int
    end: int


def first_h1(body: str) -> FirstH1 | None:
    """The first H1 outside code, lists and quotes (ATX or setext), or None."""
    md = outline_parser()
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    for index, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or token.tag != "h1" or token.level != 0:
            continue
        if token.map is None:
            continue
        inline = tokens[index + 1]
        children = md.inline.parse(inline.content, md, env, [])
        text = " ".join(token_text(children).split())
        if text:
            return FirstH1(text, token.map[0], token.map[1])
    return None
