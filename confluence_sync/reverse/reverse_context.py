"""What a reverse rule sees: the rule tables and the state of the page being written.

Rules are plain functions ``(element, ctx) -> str``. Block rules return Markdown blocks (lines,
no trailing newline); inline rules return inline Markdown. Whatever has no Markdown form raises
``Unrepresentable``; the nearest enclosing block catches it and keeps that block verbatim, so a
page is never silently truncated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from confluence_sync.convert.anchors import SlugCounter
from confluence_sync.errors import Problem
from confluence_sync.reverse.link_map import LinkMap, NewAttachment
from confluence_sync.reverse.names import qname

Rule = Callable[[etree._Element, "ReverseContext"], str]


class Unrepresentable(Exception):
    """Raised by a rule for markup Markdown cannot express; carries the reason for the warning."""


@dataclass
class ReverseState:
    """Per-page collector, made by ``storage_to_markdown`` and discarded after."""

    source: str
    links: LinkMap | None
    tight_lists: bool = False  # an item's single paragraph is the editor's, not a loose list
    attachment_folder: str = ""  # where new attachments go, relative to the page's folder
    slugs: SlugCounter = field(default_factory=SlugCounter)
    new_attachments: dict[str, NewAttachment] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # wiki content pull will not bring in
    line_start: bool = True  # the inline output so far ends a line: line-start syntax must escape
    in_table: bool = False  # inside a GFM table cell: no newlines, ``|`` escaped in code too
    previous_list: str | None = None  # list family of the block before the one being rendered


@dataclass(frozen=True)
class ReverseContext:
    """Dispatches elements to rules by qualified name (``p``, ``ac:task-list``)."""

    blocks: Mapping[str, Rule]
    inlines: Mapping[str, Rule]
    state: ReverseState

    def block(self, element: etree._Element) -> str:
        rule = self.blocks.get(qname(element))
        if rule is None:
            raise Unrepresentable(f"<{qname(element)}>")
        return rule(element, self)

    def inline(self, element: etree._Element) -> str:
        rule = self.inlines.get(qname(element))
        if rule is None:
            raise Unrepresentable(f"<{qname(element)}>")
        out = rule(element, self)
        if out:
            self.state.line_start = out.endswith("\n")
        return out

    def warn(self, message: str) -> None:
        """Something of the wiki page that the Markdown does not keep (or keeps only verbatim)."""
        self.state.warnings.append(Problem(self.state.source, message, None, "warning"))

    def refuse(self, message: str) -> None:
        """Something of the wiki page that must not reach the repository (a link to a file, a
        script scheme, an ``html`` macro): left out or kept as text, and reported by ``pull``."""
        self.state.refusals.append(message)
