"""The one interface through which a construct joins the converter: ``Extension``.

A construct family (tables, tasks, panels, raw HTML, …) is one module under ``extensions/``
that defines one ``Extension``: the markdown-it plugins that teach the parser its syntax, the
markdown-it options it switches on, and the render rules for the node types it produces. The
core (``dialect.py``, ``renderer.py``, ``render_context.py``) never imports an extension: it
receives the list (``parser.EXTENSIONS``) and merges it in order, a later extension's rule for a
node type replacing an earlier one (how tasks take over lists, or panels take over
blockquotes). A rule that needs another construct reaches it through the ``RenderContext``
(``ctx.render``, ``ctx.inline_sequence``, ``nested.render_nested``), not by importing it.

Plugins are module-level functions (or ``functools.partial`` of them), so an extension is
rebuilt by importing its module in any process: worker processes of a pooled conversion build
their own parser from the same list instead of receiving one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from markdown_it import MarkdownIt

from confluence_sync.convert.render_context import Rule, RunRule

Plugin = Callable[[MarkdownIt], None]


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Extension:
    """One construct family: its syntax (``plugins``, ``options``) and its rendering.

    ``plugins`` are applied with ``MarkdownIt.use`` in order, after the plugins of the
    extensions listed before this one; ``options`` are merged into the parser's options
    (markdown-it reads them while parsing, e.g. ``html`` or ``tasklists``). ``rules`` map a
    syntax-tree node type to the function rendering it; ``runs`` map a node type to a rule that
    receives the whole run of inline siblings it occurs in (raw HTML uses it to balance tags
    that markdown-it hands over one token each)."""

    name: str
    plugins: tuple[Plugin, ...] = ()
    options: Mapping[str, Any] = field(default_factory=_empty)
    rules: Mapping[str, Rule] = field(default_factory=_empty)
    runs: Mapping[str, RunRule] = field(default_factory=_empty)
