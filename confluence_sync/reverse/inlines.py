"""Rules for elements inside a line: emphasis, code, breaks, links, images, inline macros."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from confluence_sync.reverse import links
from confluence_sync.reverse.escape import code_span
from confluence_sync.reverse.flow import content_nodes, inline_nodes, is_inline
from confluence_sync.reverse.names import ac, child, macro_name, parameters, qname, text_of
from confluence_sync.reverse.reverse_context import ReverseContext, Rule, Unrepresentable

_EDGE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)
# An emoji as the editor stores it: pictographs, modifiers, variation selectors and joiners only.
_EMOJI = re.compile("[^\x00-\x7f\x85\u2028\u2029\u00a0-\u00ff]{1,16}")
_FOOTNOTE_REF = re.compile(r"fnref-(\d+)(?:-\d+)?")


def children(element: etree._Element, ctx: ReverseContext) -> str:
    """The inline Markdown of an element's content."""
    return inline_nodes(content_nodes(element), ctx)


def delimited(element: etree._Element, ctx: ReverseContext, opener: str, closer: str) -> str:
    """Content between delimiters; edge spaces go outside, where CommonMark needs them."""
    ctx.state.line_start = False
    match = _EDGE.match(children(element, ctx))
    assert match is not None
    lead, body, trail = match.groups()
    return f"{lead}{opener}{body}{closer}{trail}" if body else lead + trail


def strong(element: etree._Element, ctx: ReverseContext) -> str:
    return delimited(element, ctx, "**", "**")


def em(element: etree._Element, ctx: ReverseContext) -> str:
    """``*`` works inside words; ``_`` where it touches a ``**`` (``**_x_**`` is strong(em))."""
    parent = element.getparent()
    at_edge = (
        parent is not None
        and qname(parent) == "strong"
        and (
            (element.getprevious() is None and not (parent.text or "").strip())
            or (element.getnext() is None and not (element.tail or "").strip())
        )
    )
    mark = "_" if at_edge else "*"
    return delimited(element, ctx, mark, mark)


def strike(element: etree._Element, ctx: ReverseContext) -> str:
    return delimited(element, ctx, "~~", "~~")


def html_tag(element: etree._Element, ctx: ReverseContext) -> str:
    """``u``, ``sub``, ``sup``, ``kbd``, ``small``: the raw HTML the forward converter allows."""
    name = qname(element)
    return delimited(element, ctx, f"<{name}>", f"</{name}>")


def code(element: etree._Element, ctx: ReverseContext) -> str:
    return code_span(text_of(element), in_table=ctx.state.in_table)


def br(element: etree._Element, ctx: ReverseContext) -> str:
    """A hard break: ``\\`` and a new line where a line can end; ``<br>`` in a cell or heading, at
    the start of a line and at the end of a block (where a backslash would be lost)."""
    following = element.getnext()
    detached = element.getparent() is None  # made by a rule to join paragraphs: text follows
    last = not detached and (following is None or not is_inline(following))
    last = last and not (element.tail or "").strip()
    if ctx.state.in_table or ctx.state.line_start or last or _in_heading(element):
        return "<br>"
    return "\\\n"


def _in_heading(element: etree._Element) -> bool:
    return any(re.fullmatch(r"h[1-6]", qname(a)) for a in element.iterancestors())


def sup(element: etree._Element, ctx: ReverseContext) -> str:
    """A footnote reference as the forward converter writes it, or a plain superscript."""
    number = footnote_reference(element)
    if number is not None:
        return f"[^{number}]"
    return html_tag(element, ctx)


def footnote_reference(element: etree._Element) -> int | None:
    """``<sup>`` holding the ``fnref-N`` anchor and a link to ``fn-N`` → N."""
    kids = list(element)
    if len(kids) != 2 or (element.text or "").strip() or macro_name(kids[0]) != "anchor":
        return None
    match = _FOOTNOTE_REF.fullmatch(parameters(kids[0]).get("", ""))
    target = kids[1].get(ac("anchor"), "") if qname(kids[1]) == "ac:link" else ""
    if match is None or target != f"fn-{match.group(1)}":
        return None
    return int(match.group(1))


def macro(element: etree._Element, ctx: ReverseContext) -> str:
    """Inline macros: an anchor is ``<a name>``; a status lozenge or Jira issue has no Markdown."""
    name = macro_name(element)
    if name == "anchor" and child(element, "ac:rich-text-body") is None:
        return anchor_html(parameters(element).get("", ""))
    raise Unrepresentable(f"the {name} macro")


def emoticon(element: etree._Element, ctx: ReverseContext) -> str:
    """An emoji picked in the editor: its Unicode character, which reads the same everywhere."""
    fallback = element.get(ac("emoji-fallback"), "")
    if not _EMOJI.fullmatch(fallback):  # the attribute is wiki text: only emoji go in as they are
        raise Unrepresentable(f"the emoticon {element.get(ac('name'), '')}")
    ctx.warn(f"emoticon {fallback} is written as its character")
    return fallback


def anchor_html(name: str) -> str:
    """``<a name>`` with the name escaped as an attribute value: a name from the wiki can hold
    quotes, ``<`` and ``&`` (an editor-made ``onmouseover`` stays inside the value)."""
    return f'<a name="{html.escape(name, quote=True)}"></a>'


INLINE_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "strong": strong,
        "em": em,
        "del": strike,
        "code": code,
        "u": html_tag,
        "sub": html_tag,
        "kbd": html_tag,
        "small": html_tag,
        "sup": sup,
        "br": br,
        "a": links.web_link,
        "ac:link": links.confluence_link,
        "ac:image": links.image,
        "ac:structured-macro": macro,
        "ac:emoticon": emoticon,
    }
)
