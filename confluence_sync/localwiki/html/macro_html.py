"""How the browser view shows each Confluence macro: a table from macro name to handler.

Each handler gets the renderer (to render nested rich text), the macro element, its parameters,
its rich-text body (or None) and the element to append to. A macro without a handler shows its
body in a plain block, or a placeholder when it has none, so nothing disappears silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from lxml import etree

from confluence_sync.localwiki.html.storage_xml import ac, slug

if TYPE_CHECKING:
    from confluence_sync.localwiki.html.storage_to_html import Renderer

Params = dict[str, str]
MacroHandler = Callable[
    ["Renderer", etree._Element, Params, "etree._Element | None", etree._Element], None
]


def panel(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    """info, tip, note, warning and panel: a coloured box with an optional title."""
    name = el.get(ac("name"), "panel")
    box = etree.SubElement(dst, "div", {"class": f"panel panel-{name}"})
    if params.get("title"):
        etree.SubElement(box, "div", {"class": "panel-title"}).text = params["title"]
    if body is not None:
        r.children(body, etree.SubElement(box, "div", {"class": "panel-body"}))


def code(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    """code and noformat: a ``<pre><code>`` with the language as a class and the title above."""
    figure = etree.SubElement(dst, "div", {"class": "code-block"})
    if params.get("title"):
        etree.SubElement(figure, "div", {"class": "code-title"}).text = params["title"]
    text = el.find(ac("plain-text-body"))
    language = params.get("language", "")
    block = etree.SubElement(etree.SubElement(figure, "pre"), "code")
    if language:
        block.set("class", f"language-{language}")
    block.text = "" if text is None else (text.text or "")


def status(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    colour = params.get("colour", "Grey").lower()
    lozenge = etree.SubElement(dst, "span", {"class": f"lozenge lozenge-{colour}"})
    lozenge.text = params.get("title", "").upper()


def anchor(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    etree.SubElement(dst, "a", {"id": params.get("", "")})


def jira(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    span = etree.SubElement(dst, "span", {"class": "jira"})
    span.text = params.get("key") or f"Jira issues: {params.get('jqlQuery', '')}"


def toc(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    """The page's headings between ``minLevel`` and ``maxLevel``, linked to their ids."""
    low = int(params.get("minLevel", "1") or 1)
    high = int(params.get("maxLevel", "6") or 6)
    listing = etree.SubElement(dst, "ul", {"class": "toc"})
    for level, text in r.headings:
        if low <= level <= high:
            item = etree.SubElement(listing, "li", {"class": f"toc-level-{level}"})
            etree.SubElement(item, "a", {"href": f"#{slug(text)}"}).text = text


def children(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    listing = etree.SubElement(dst, "ul", {"class": "children"})
    for title, url in r.resolver.child_links():
        etree.SubElement(etree.SubElement(listing, "li"), "a", {"href": url}).text = title


def details_summary(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    """The page-properties report: a table built from other pages' ``details`` macros."""
    dst.append(r.resolver.report(el))


def details(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    if params.get("hidden", "false").lower() != "true" and body is not None:
        r.children(body, etree.SubElement(dst, "div", {"class": "page-properties"}))


def expand(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    """A collapsed section, as Confluence shows it: ``<details>`` with the title as summary."""
    block = etree.SubElement(dst, "details", {"class": "expand"})
    etree.SubElement(block, "summary").text = params.get("title") or "Click here to expand..."
    if body is not None:
        r.children(body, block)


def excerpt(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    """The page's summary as a lead paragraph. Confluence hides a ``hidden`` excerpt on the page
    (it only feeds search results and page lists); the view still shows it, marked, so an author
    can read what those lists will say."""
    if body is None:
        return
    hidden = params.get("hidden", "false").lower() == "true"
    css = "excerpt excerpt-hidden" if hidden else "excerpt"
    block = etree.SubElement(dst, "div", {"class": css})
    if hidden:
        block.set("title", "Excerpt: hidden on the page in Confluence, shown in search and lists")
    r.children(body, block)


def math(
    r: Renderer,
    el: etree._Element,
    params: Params,
    body: etree._Element | None,
    dst: etree._Element,
) -> None:
    """mathinline / mathblock (a math app's macros): the LaTeX source, marked as math, so a
    reader of the local wiki sees the formula's source rather than a macro placeholder."""
    if el.get(ac("name")) == "mathinline":
        etree.SubElement(dst, "code", {"class": "math math-inline"}).text = params.get("body", "")
        return
    text = el.find(ac("plain-text-body"))
    block = etree.SubElement(dst, "pre", {"class": "math math-block"})
    block.text = "" if text is None else (text.text or "")


MACROS: Mapping[str, MacroHandler] = MappingProxyType(
    {
        **dict.fromkeys(("info", "tip", "note", "warning", "panel"), panel),
        **dict.fromkeys(("code", "noformat"), code),
        "status": status,
        "anchor": anchor,
        "jira": jira,
        "toc": toc,
        "children": children,
        "detailssummary": details_summary,
        "details": details,
        "expand": expand,
        "excerpt": excerpt,
        **dict.fromkeys(("mathinline", "mathblock"), math),
    }
)


def render_macro(r: Renderer, el: etree._Element, dst: etree._Element) -> None:
    """Dispatch ``el`` (an ``ac:structured-macro``) through :data:`MACROS`."""
    name = el.get(ac("name"), "")
    params = {
        p.get(ac("name"), ""): "".join(str(t) for t in p.itertext()).strip()
        for p in el.findall(ac("parameter"))
    }
    body = el.find(ac("rich-text-body"))
    handler = MACROS.get(name)
    if handler is not None:
        handler(r, el, params, body, dst)
    elif body is not None:
        r.children(body, etree.SubElement(dst, "div", {"class": f"macro macro-{name}"}))
    else:
        etree.SubElement(dst, "span", {"class": "macro-unknown"}).text = f"[{name} macro]"
