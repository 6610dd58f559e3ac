"""GitHub alerts and MkDocs admonitions → Confluence's info/tip/note/warning macros.

Mapping (the same for both syntaxes); mind that Confluence's ``note`` macro is yellow and its
``warning`` macro red:

=============================  =========  ==========================================
source kind                    macro      why
=============================  =========  ==========================================
NOTE, note, info, abstract,…   info       neutral, blue
TIP, tip, hint, success,…      tip        positive, green
IMPORTANT, important           note       must not be missed: yellow
WARNING, warning, caution,…    note       take care: yellow (GitHub shows WARNING amber)
CAUTION, danger, error, bug,…  warning    risk of harm: red (GitHub shows CAUTION red)
=============================  =========  ==========================================

Unknown admonition kinds fall back to ``info``. The panel title is the alert's title (GitHub's
capitalised kind, e.g. "Warning") or the admonition's quoted title; ``!!! note ""`` has none.
A blockquote starting ``[!WARNING] Custom title`` is also taken as an alert with that title.

Syntax: markdown-it-py's ``alerts`` option, mdit-py-plugins' ``admon_plugin`` (``!!!``/``???``)
and ``generic_blocks`` (pymdown-extensions' ``/// name | title`` blocks, which become panels,
expands or titled sections here).
"""

from __future__ import annotations

import re
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.admon import admon_plugin

from confluence_sync.convert import blocks, macros
from confluence_sync.convert.anchors import plain_text
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.extensions.generic_blocks import generic_blocks_plugin
from confluence_sync.convert.render_context import RenderContext

ALERT_PANELS = MappingProxyType(
    {"NOTE": "info", "TIP": "tip", "IMPORTANT": "note", "WARNING": "note", "CAUTION": "warning"}
)
_ADMONITION_PANELS = MappingProxyType(
    {
        **dict.fromkeys(("note", "info", "abstract", "summary", "tldr", "todo"), "info"),
        **dict.fromkeys(("question", "help", "faq", "example", "quote", "cite"), "info"),
        **dict.fromkeys(("tip", "hint", "success", "check", "done"), "tip"),
        **dict.fromkeys(("important", "attention", "warning", "caution"), "note"),
        **dict.fromkeys(("danger", "error", "failure", "fail", "missing", "bug"), "warning"),
    }
)
_ALERT_MARKER = re.compile(
    r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\](?:[ \t]+(.*))?$", re.IGNORECASE
)


def _body(node: SyntaxTreeNode, ctx: RenderContext, skip: str) -> str:
    return "".join(ctx.render(child) for child in node.children if child.type != skip)


def _title(node: SyntaxTreeNode, title_type: str) -> str | None:
    title = next((c for c in node.children if c.type == title_type), None)
    return (plain_text(title).strip() or None) if title is not None else None


def alert(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    kind = str(node.meta.get("kind", node.info)).upper()
    body = _body(node, ctx, "alert_title")
    return macros.panel(ALERT_PANELS.get(kind, "info"), body, _title(node, "alert_title"))


def admonition(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """``!!!`` → a panel; collapsible ``???`` / ``???+`` → the panel inside an ``expand`` macro
    titled like the admonition (Confluence cannot show an expand opened by default)."""
    kind = str(node.meta.get("tag", "note")).lower()
    body = _body(node, ctx, "admonition_title")
    title = _title(node, "admonition_title")
    panel_kind = _ADMONITION_PANELS.get(kind, "info")
    if node.markup.startswith("???"):
        return macros.expand(macros.panel(panel_kind, body), title or kind.capitalize())
    return macros.panel(panel_kind, body, title)


def blockquote(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A blockquote, unless it opens with an alert marker and a title (``titled_alert``)."""
    titled = titled_alert(node, ctx)
    if titled is not None:
        return titled
    return blocks.blockquote(node, ctx)


def titled_alert(node: SyntaxTreeNode, ctx: RenderContext) -> str | None:
    """``> [!WARNING] Custom title`` (not GitHub syntax, but common): a panel, or None if not
    one."""
    first = node.children[0] if node.children else None
    if first is None or first.type != "paragraph" or not first.children:
        return None
    inline = first.children[0]
    head = inline.children[0] if inline.children else None
    match = _ALERT_MARKER.match(head.content) if head is not None and head.type == "text" else None
    if match is None or head is None:
        return None
    kind = match.group(1).upper()
    title = (match.group(2) or "").strip() or kind.capitalize()
    rest = inline.children[1:]
    if rest and rest[0].type in ("softbreak", "hardbreak"):
        rest = rest[1:]
    saved, ctx.state.line = ctx.state.line, ctx.line_of(first)
    lead = ctx.inline_sequence(rest)
    ctx.state.line = saved
    lead += "".join(ctx.render(child) for child in first.children[1:])
    body = (f"<p>{lead}</p>" if lead.strip() else "") + _body_after(node, ctx)
    return macros.panel(ALERT_PANELS[kind], body, title)


def _body_after(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return "".join(ctx.render(child) for child in node.children[1:])


_PASS_THROUGH = frozenset({"html", "caption", "figure-caption", "table-caption", "define"})


def generic_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """pymdown ``/// name | title`` blocks: admonitions → panels, ``details`` → an expand (a
    panel inside when it has a ``type``), ``tab`` → a titled section, wrappers → their content;
    another block keeps its content, with a warning."""
    name = str(node.meta.get("name", ""))
    title = node.meta.get("title") or None
    options = node.meta.get("options") or {}
    kind = str(options.get("type", "")).lower()
    body = ctx.children(node)
    if name == "admonition" or name in _ADMONITION_PANELS:
        kind = kind or (name if name != "admonition" else "note")
        return macros.panel(_ADMONITION_PANELS.get(kind, "info"), body, title or kind.capitalize())
    if name == "details":
        inner = macros.panel(_ADMONITION_PANELS.get(kind, "info"), body) if kind else body
        return macros.expand(inner, title or "Details")
    if name == "tab":
        return (f"<p><strong>{macros.esc(title)}</strong></p>" if title else "") + body
    if name not in _PASS_THROUGH:
        ctx.warn(node, f"/// {name} block has no Confluence equivalent; its content is kept")
    return body


EXTENSION = Extension(
    "panels",
    plugins=(admon_plugin, generic_blocks_plugin),
    options=MappingProxyType({"alerts": True}),
    rules=MappingProxyType(
        {
            "alert": alert,
            "admonition": admonition,
            "generic_block": generic_block,
            "blockquote": blockquote,
        }
    ),
)
