"""Block macros: code, the four panels, expand and the table of contents.

Each is written in the syntax the forward converter turns back into the same macro: fenced code
with its language and title, GitHub alerts when the panel has the converter's default title,
MkDocs admonitions otherwise, ``???`` for an expand, ``[TOC]``. Any other macro, or one of these
with parameters Markdown cannot carry, is kept verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from confluence_sync.convert.languages import confluence_language
from confluence_sync.reverse.escape import escape_text, fence_for
from confluence_sync.reverse.flow import indent, render_flow
from confluence_sync.reverse.names import child, macro_name, parameters, text_of
from confluence_sync.reverse.reverse_context import ReverseContext, Rule, Unrepresentable

# Panel macro → (alert kinds whose default title the converter gives it, admonition kind).
_PANELS = MappingProxyType(
    {
        "info": ({"Note": "NOTE"}, "note"),
        "tip": ({"Tip": "TIP"}, "tip"),
        # yellow: GitHub's IMPORTANT and WARNING, MkDocs's warning (convert/extensions/panels.py)
        "note": ({"Important": "IMPORTANT", "Warning": "WARNING"}, "warning"),
        # red: GitHub's CAUTION, MkDocs's danger
        "warning": ({"Caution": "CAUTION"}, "danger"),
    }
)
# A fence's language: one word of the characters language names use (``c++``, ``objective-c``).
_LANGUAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+#.-]{0,39}")
# Characters that would end the fence line (or a title) and start Markdown of their own.
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
# Parameters the editor adds with their default value: dropping them changes nothing.
_DEFAULTS = MappingProxyType(
    {"linenumbers": "false", "collapse": "false", "icon": "true", "breakoutMode": None}
)


def _extra(params: dict[str, str], known: set[str], macro: str) -> None:
    """Refuse parameters Markdown cannot carry, unless they only restate a default."""
    for name, value in params.items():
        if name in known or name.startswith("breakout"):
            continue
        if name in _DEFAULTS and _DEFAULTS[name] in (None, value.strip().lower()):
            continue
        raise Unrepresentable(f"the {macro} macro's parameter {name}")


def code(element: etree._Element, ctx: ReverseContext) -> str:
    """A fenced block; its info string is checked, since the wiki's language and title text
    would otherwise be written onto the fence line (a newline there ends the fence)."""
    params = parameters(element)
    _extra(params, {"language", "title"}, "code")
    body_element = child(element, "ac:plain-text-body")
    body = text_of(body_element) if body_element is not None else ""
    info = params.get("language", "").strip()
    if info and not _LANGUAGE.fullmatch(info):
        raise Unrepresentable(f"a code language that is not one word ({info!r})")
    published = confluence_language(info)
    if info and published != info:
        ctx.warn(f"code language {info!r} is published as {published or 'plain code'!r}")
    title = params.get("title")
    if title:
        quote = '"' if '"' not in title else "'"
        if quote in title or _LINE_BREAKING.search(title):
            raise Unrepresentable("a code title with both kinds of quote or a line break")
        info = f"{info} title={quote}{title}{quote}".strip()
    fence = fence_for(body, "`")
    if "`" in info:
        fence = fence_for(body, "~")
    return f"{fence}{info}\n{body}\n{fence}" if body else f"{fence}{info}\n{fence}"


def panel(element: etree._Element, ctx: ReverseContext) -> str:
    """An alert ``> [!TIP]`` when the title is the converter's default for that kind, else an
    admonition ``!!! tip "Title"`` (no title: ``""``)."""
    name = macro_name(element)
    params = parameters(element)
    _extra(params, {"title"}, name)
    alerts, admonition = _PANELS[name]
    title = one_line(params.get("title", ""))
    body = _body(element, ctx)
    if title in alerts:
        head = f"> [!{alerts[title]}]"
        return head + ("\n" + indent(body, "> ") if body else "")
    return _admonition("!!!", admonition, title, body)


def expand(element: etree._Element, ctx: ReverseContext) -> str:
    """A collapsed section: MkDocs' collapsible admonition ``??? tip "Title"`` when it holds just
    an untitled panel (what the converter makes of one), else a pymdown ``/// details`` block."""
    params = parameters(element)
    _extra(params, {"title"}, "expand")
    title = one_line(params.get("title", ""))
    body = child(element, "ac:rich-text-body")
    inner = list(body) if body is not None else []
    lone = (
        inner[0]
        if len(inner) == 1 and not (body is not None and (body.text or "").strip())
        else None
    )
    if lone is not None and macro_name(lone) in _PANELS and not parameters(lone):
        return _admonition("???", _PANELS[macro_name(lone)][1], title, _body(lone, ctx))
    text = _body(element, ctx)
    fence = "/" * max(3, max((len(r) for r in re.findall(r"^/{3,}", text, re.M)), default=0) + 1)
    head = f"{fence} details" + (f" | {escape_text(title, line_start=False)}" if title else "")
    return f"{head}\n{text}\n{fence}" if text else f"{head}\n{fence}"


def one_line(title: str) -> str:
    """A title as one line: a line break or control character from the wiki would end the
    marker line and start Markdown of its own."""
    return _LINE_BREAKING.sub(" ", title).strip()


def _admonition(marker: str, kind: str, title: str, body: str) -> str:
    quoted = escape_text(title, line_start=False).replace('"', '\\"')
    head = f'{marker} {kind} "{quoted}"'
    return head + ("\n" + indent(body, "    ") if body else "")


def _body(element: etree._Element, ctx: ReverseContext) -> str:
    body = child(element, "ac:rich-text-body")
    return render_flow(body, ctx) if body is not None else ""


def toc(element: etree._Element, ctx: ReverseContext) -> str:
    if parameters(element):
        raise Unrepresentable("a toc macro with parameters")
    return "[TOC]"


MACRO_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "code": code,
        **dict.fromkeys(_PANELS, panel),
        "expand": expand,
        "toc": toc,
    }
)


def block_macro(element: etree._Element, ctx: ReverseContext) -> str:
    name = macro_name(element)
    rule = MACRO_RULES.get(name)
    if rule is None:
        raise Unrepresentable(f"the {name or 'unnamed'} macro")
    return rule(element, ctx)
