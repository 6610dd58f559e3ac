"""What a rule sees while rendering one document: the rule tables, the parser and the state.

Rules are plain functions ``(node, ctx) -> str``. Everything a document accumulates (problems,
attachments, heading slugs) sits in one ``DocState`` made per conversion, so nothing leaks between
documents and the rules stay free of globals. The tables and the parser come from the dialect
(``dialect.py``) that built the context: a rule reaches another construct's rule, or renders
nested Markdown, through the context, never by importing the module that defines it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert.attachment_set import AttachmentSet
from confluence_sync.convert.storage_doc import LinkResolver
from confluence_sync.errors import ConversionError, Problem

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

Rule = Callable[[SyntaxTreeNode, "RenderContext"], str]
# A rule for a run of inline siblings holding a node of some type: raw HTML tags arrive one
# token each and can only be balanced over the whole run (see ``RenderContext.inline_sequence``).
RunRule = Callable[[Sequence[SyntaxTreeNode], "RenderContext"], str]


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
    diagrams: str = "code"  # "image": Mermaid/PlantUML fences drawn through the resolver
    math: str = "macro"  # "image": formulas drawn through the resolver
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
    """Dispatches nodes to rules; an element without a rule is a bug, so it raises.

    ``runs``: node type → the rule that renders a whole inline run holding such a node.
    ``parser``: the dialect's parser, for Markdown nested in a construct (``nested.py``)."""

    rules: Mapping[str, Rule]
    state: DocState
    runs: Mapping[str, RunRule] = field(default_factory=lambda: MappingProxyType({}))
    parser: MarkdownIt | None = None

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

    def inline_children(self, node: SyntaxTreeNode) -> str:
        """Render an inline container; a run holding raw HTML goes to its run rule."""
        return self.inline_sequence(node.children)

    def inline_sequence(self, children: Sequence[SyntaxTreeNode]) -> str:
        """Render sibling inline nodes, as one run when one of them has a run rule."""
        runs = self.runs
        if runs:
            for child in children:
                if child.type in runs:
                    return runs[child.type](children, self)
        render = self.render
        return "".join([render(child) for child in children])

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
