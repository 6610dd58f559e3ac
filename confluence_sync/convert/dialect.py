"""A dialect: the core's CommonMark rules plus a list of extensions, as one parser and one table.

The core receives its extensions as a list (``parser.EXTENSIONS`` is the one the tool uses) and
imports none of them. Building a dialect applies each extension's plugins in list order, after
the core's own (front matter, strikethrough), merges their markdown-it options, and merges
their rules into one read-only node type → rule table, a later extension's rule replacing an
earlier one for the same node type. Construction compiles dozens of parser rules and costs more
than parsing a typical page, so a dialect builds its parser once, on first use; a parser holds
no per-document state (that lives in ``env``), so sharing it is safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from confluence_sync.convert.blocks import BLOCK_RULES
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.inlines import INLINE_RULES
from confluence_sync.convert.render_context import DocState, RenderContext, Rule, RunRule
from confluence_sync.convert.renderer import StorageRenderer


def _strikethrough(md: MarkdownIt) -> None:
    md.enable("strikethrough")


CORE = Extension(
    "commonmark",
    plugins=(_strikethrough, front_matter_plugin),
    # markdown-it's CommonMark preset parses raw HTML; here only the raw HTML extension does
    options=MappingProxyType({"html": False}),
    rules=MappingProxyType({**BLOCK_RULES, **INLINE_RULES}),
)


@dataclass(frozen=True)
class Dialect:
    """The core plus ``extensions``: what a page is parsed with and rendered by."""

    extensions: tuple[Extension, ...]

    @classmethod
    def of(cls, extensions: Sequence[Extension]) -> Dialect:
        return cls((CORE, *extensions))

    @cached_property
    def rules(self) -> Mapping[str, Rule]:
        table: dict[str, Rule] = {}
        for extension in self.extensions:
            table.update(extension.rules)
        return MappingProxyType(table)

    @cached_property
    def runs(self) -> Mapping[str, RunRule]:
        table: dict[str, RunRule] = {}
        for extension in self.extensions:
            table.update(extension.runs)
        return MappingProxyType(table)

    @cached_property
    def parser(self) -> MarkdownIt:
        """The parser for conversion; its renderer writes storage with this dialect's rules."""
        md = self._build()
        md.renderer = StorageRenderer(md, contexts=self.context)
        return md

    @cached_property
    def outline_parser(self) -> MarkdownIt:
        """The same syntax with inline parsing switched off: the block structure at half the
        cost (for the page outline, which needs inline content only here and there)."""
        return self._build().disable("inline")

    def context(self, state: DocState) -> RenderContext:
        """What the rules see while rendering one document (or one chunk of it)."""
        return RenderContext(self.rules, state, self.runs, self.parser)

    def _build(self) -> MarkdownIt:
        options: dict[str, Any] = {}
        for extension in self.extensions:
            options.update(extension.options)
        md = MarkdownIt("commonmark", options, renderer_cls=StorageRenderer)
        for extension in self.extensions:
            for plugin in extension.plugins:
                md.use(plugin)
        return md
