"""The one place where Markdown syntax is switched on (DESIGN.md "Dialect").

The parser is built once per process and reused: construction compiles dozens of rules and costs
more than parsing a typical page. A parser holds no per-document state (that lives in ``env``), so
sharing it is safe.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from confluence_sync.convert.blocksyntax import block_syntax_plugin
from confluence_sync.convert.generic_blocks import generic_blocks_plugin
from confluence_sync.convert.inlinesyntax import inline_syntax_plugin
from confluence_sync.convert.renderer import StorageRenderer


@cache
def markdown_parser() -> MarkdownIt:
    """The parser used for conversion (see ``_build``)."""
    return _build()


@cache
def outline_parser() -> MarkdownIt:
    """The same syntax with inline parsing switched off: the block structure at half the cost."""
    return _build().disable("inline")


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


def _build() -> MarkdownIt:
    """CommonMark + GFM tables, strikethrough, bare-URL autolinks, task lists, alerts, footnotes,
    front matter, and what MkDocs sites use: admonitions, definition lists, attribute lists
    (ids only), ``~sub~``/``^sup^`` (mdit-py-plugins), plus tabs, abbreviations, marks, keys and
    emoji (``blocksyntax``/``inlinesyntax``); rendering to storage format.

    Task lists and alerts come from markdown-it-py's core options (they record state in token
    ``meta``); the ``tasklists`` plugin is avoided because it injects raw HTML checkboxes.
    """
    md = MarkdownIt(
        "commonmark",
        {"tasklists": True, "alerts": True, "html": True},
        renderer_cls=StorageRenderer,
    )
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(footnote_plugin, inline=False)
    md.use(admon_plugin)
    md.use(gfm_autolink_plugin)
    md.use(deflist_plugin)
    md.use(attrs_plugin, allowed=("id",))
    md.use(sub_plugin)
    md.use(superscript_plugin)
    md.use(inline_syntax_plugin)
    md.use(block_syntax_plugin)
    md.use(generic_blocks_plugin)
    md.validateLink = _parse_every_link  # type: ignore[method-assign]
    return md


def _parse_every_link(url: str) -> bool:
    """Let ``javascript:`` and friends parse as links: the renderer then shows only their text.

    markdown-it's own check would leave ``[x](javascript:…)`` as literal Markdown source on the
    page;
    ``links.render_link`` is what guarantees such a target is never emitted.
    """
    return True
