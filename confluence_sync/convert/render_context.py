"""What a rule sees while rendering one document: the rule table and the document's state.

Rules are plain functions ``(node, ctx) -> str``. Everything a document accumulates (problems,
attachments, heading slugs) sits in one ``DocState`` made per conversion, so nothing leaks between
documents and the rules stay free of globals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert.attachment_set import AttachmentSet
from confluence_sync.convert.storage_doc import LinkResolver
from confluence_sync.errors import ConversionError, Problem

Rule = Callable[[SyntaxTreeNode, "RenderContext"], str]


@dataclass(frozen=True)
class Outline:
    """A page's heading slugs (document order) and every anchor a ``#fragment`` can reach."""

    slugs: tuple[str, ...]
    anchors: dict[str, str]  # slug or <a name> -> anchor


@dataclass
class DocState:
    """Mutable per-document collector; created by ``convert_markdown`` and discarded after."""

    source: str = "<string>"
    line_offset: int = 0
    resolver: LinkResolver | None = None
    toc: bool = False
    outline: Outline | None = None  # known in advance for a parsed page; else the renderer's
    anchors: dict[str, str] = field(default_factory=dict)  # same-page slug/name -> anchor
    heading_slugs: Iterator[str] = field(default_factory=lambda: iter(()))
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # published, but something was lost
    attachments: AttachmentSet = field(default_factory=AttachmentSet)
    external_links: dict[str, None] = field(default_factory=dict)  # ordered set
    line: int | None = None  # 1-based line of the inline text being rendered
    line_map: tuple[int, ...] = ()  # page line of each parsed line (snippets inlined), or ()
    first_line: int = 0  # parsed line at which the tokens being rendered start (a chunk's)
    skip: set[int] = field(default_factory=set)  # ids of nodes a raw HTML run already rendered

    def file_line(self, parsed_line: int) -> int:
        """1-based file line of a 0-based line of the parsed text."""
        parsed_line += self.first_line
        line_map = self.line_map
        if 0 <= parsed_line < len(line_map):
            parsed_line = line_map[parsed_line]
        return parsed_line + 1 + self.line_offset


@dataclass(frozen=True)
class RenderContext:
    """Dispatches nodes to rules; an element without a rule is a bug, so it raises."""

    rules: Mapping[str, Rule]
    state: DocState

    def render(self, node: SyntaxTreeNode) -> str:
        if self.state.skip and id(node) in self.state.skip:
            return ""
        rule = self.rules.get(node.type)
        if rule is None:
            raise ConversionError(
                [Problem(self.state.source, f"no rule to render '{node.type}'", self.line_of(node))]
            )
        return rule(node, self)

    def children(self, node: SyntaxTreeNode) -> str:
        render = self.render
        return "".join([render(child) for child in node.children])

    def line_of(self, node: SyntaxTreeNode) -> int | None:
        """File line of a node; inline nodes have no map, so they use the running inline line."""
        if node.map is None and self.state.line is not None:
            return self.state.line
        current: SyntaxTreeNode | None = node
        while current is not None and current.map is None:
            current = current.parent
        if current is None or current.map is None:
            return None
        return self.state.file_line(current.map[0])

    def problem(self, node: SyntaxTreeNode, message: str) -> None:
        self.state.problems.append(Problem(self.state.source, message, self.line_of(node)))

    def warn(self, node: SyntaxTreeNode, message: str) -> None:
        """Content that still publishes but loses something the author wrote."""
        self.warn_at(self.line_of(node), message)

    def warn_at(self, line: int | None, message: str) -> None:
        """``warn`` for a line found inside a node (a tag deep in a raw HTML block)."""
        self.state.warnings.append(Problem(self.state.source, message, line, "warning"))
