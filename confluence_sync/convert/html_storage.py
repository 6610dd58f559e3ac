"""Rendered HTML (what MkDocs's Python-Markdown, pymdownx and Material put in a page) → storage.

MkDocs already expanded the site's directives, includes, plugins and hooks; what is left is
HTML with a known vocabulary of classes. Each construct is one small rule chosen by tag and
class; an element nothing maps is reported by name (never shown as tag text, never dropped
silently). Ids are kept as anchor macros, so ``#id`` links resolve as on the site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import lxml.html
from lxml.etree import _Element

from confluence_sync.convert import macros
from confluence_sync.convert.html_code import code_text, drop_element, is_code_block, text_of

# Python-Markdown / Material admonition types → Confluence panel (``note`` is Confluence's
# yellow box and ``warning`` its red one; see macros.panel).
PANEL_OF = {
    **dict.fromkeys(("note", "info", "abstract", "summary", "tldr", "todo"), "info"),
    **dict.fromkeys(("question", "help", "faq", "example", "quote", "cite"), "info"),
    **dict.fromkeys(("tip", "hint", "important", "success", "check", "done"), "tip"),
    **dict.fromkeys(("warning", "caution", "attention"), "note"),
    **dict.fromkeys(("danger", "error", "failure", "fail", "missing", "bug"), "warning"),
}
_SIMPLE_INLINE = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "code": "code"}
_SIMPLE_INLINE |= {"sub": "sub", "sup": "sup", "u": "u", "ins": "u", "small": "small"}
_SIMPLE_INLINE |= {"kbd": "kbd", "cite": "em", "var": "em", "samp": "code", "q": "em"}
_SIMPLE_BLOCK = {"p": "p", "blockquote": "blockquote", "ul": "ul", "ol": "ol", "li": "li"}
_SIMPLE_BLOCK |= {f"h{n}": f"h{n}" for n in range(1, 7)} | {"tr": "tr", "th": "th", "td": "td"}
_TRANSPARENT = frozenset({"div", "span", "section", "article", "figure", "main", "aside", "nav"})
_TRANSPARENT |= frozenset({"thead", "tbody", "tfoot", "header", "footer", "center", "font"})
_SILENT = frozenset({"colgroup", "col", "wbr"})  # layout only: nothing a reader loses


@dataclass(frozen=True)
class LinkTarget:
    """Where a link of the page lands: another page (by title) or this one (title None)."""

    title: str | None
    anchor: str | None


@dataclass(frozen=True)
class HtmlResult:
    """One page's storage, its anchors, and each unmapped construct with how often it occurs."""

    xhtml: str
    anchors: tuple[str, ...]
    unmapped: tuple[tuple[str, int], ...]
    images: tuple[str, ...]  # image sources the page names (attachments when they resolve)


Resolve = Callable[[str], "LinkTarget | str | None"]  # page target, attachment name, or web


def html_to_storage(html: str, resolve: Resolve, *, title: str | None = None) -> HtmlResult:
    """Convert one page's rendered content HTML. ``resolve`` answers each ``href``/``src``: a
    ``LinkTarget``, the attachment file name for a local file, or None for a web address.
    ``title``: the page title; a leading ``<h1>`` saying it is left to Confluence's title (its
    id stays an anchor), as the default renderer does with the H1 it takes as title."""
    if not html.strip():
        return HtmlResult("", (), (), ())
    # characters XML cannot hold (control characters) would make lxml refuse the page
    root = lxml.html.fragment_fromstring(macros.strip_illegal(html), create_parent="div")
    conv = _Converter(resolve)
    lead = _title_anchor(conv, root, title)
    body = lead + conv.children(root)
    return HtmlResult(body, tuple(conv.anchors), tuple(sorted(conv.unmapped.items())), conv.images)


def _title_anchor(conv: _Converter, root: _Element, title: str | None) -> str:
    """Take out a leading ``<h1>`` that says the title; its anchor macro stays."""
    first = next((c for c in root if isinstance(c.tag, str)), None)
    if title is None or first is None or first.tag != "h1":
        return ""
    if _heading_text(first) != " ".join(title.split()):
        return ""
    anchor = conv.inner_anchor(first)
    root.text = (root.text or "") + (first.tail or "")
    root.remove(first)
    return anchor


def _heading_text(el: _Element) -> str:
    """A heading's text without its permalink."""
    text = el.text or ""
    for child in el:
        if "headerlink" not in _classes(child):
            text += text_of(child)
        text += child.tail or ""
    return " ".join(text.split())


class _Converter:
    """Walks the tree once; ``unmapped`` counts constructs that have no storage form."""

    def __init__(self, resolve: Resolve) -> None:
        self.resolve = resolve
        self.anchors: list[str] = []
        self.unmapped: Counter[str] = Counter()
        self.images: tuple[str, ...] = ()

    def children(self, el: _Element) -> str:
        parts = [macros.esc(el.text or "")]
        for child in el:
            if isinstance(child.tag, str):
                parts.append(self.element(child))
            parts.append(macros.esc(child.tail or ""))
        return "".join(parts)

    def element(self, el: _Element) -> str:
        """An element's storage; its id becomes an anchor macro, inside it when it is a
        heading, paragraph or cell (that holds inline content), else just before it."""
        rule = _rule_of(el)
        if rule in _ANCHOR_INSIDE:
            return rule(self, el)
        return self.inner_anchor(el) + rule(self, el)

    def inner_anchor(self, el: _Element) -> str:
        ident = el.get("id")
        if not ident:
            return ""
        self.anchors.append(ident)
        return macros.anchor(ident)

    def lost(self, construct: str) -> str:
        """``construct`` has no storage form: it is left out, and reported."""
        return self.note(f"{construct} has no Confluence form and is not shown")

    def note(self, message: str) -> str:
        self.unmapped[message] += 1
        return ""


def _classes(el: _Element) -> list[str]:
    return (el.get("class") or "").split()


def _simple(conv: _Converter, el: _Element) -> str:
    tag = _SIMPLE_BLOCK.get(str(el.tag)) or _SIMPLE_INLINE[str(el.tag)]
    return f"<{tag}>{conv.inner_anchor(el)}{conv.children(el)}</{tag}>"


def _transparent(conv: _Converter, el: _Element) -> str:
    return conv.children(el)


def _nothing(conv: _Converter, el: _Element) -> str:
    return ""


def _void(name: str) -> Callable[[_Converter, _Element], str]:
    return lambda conv, el: f"<{name}/>"


def _heading_link(conv: _Converter, el: _Element) -> str:
    """The ¶ permalink Python-Markdown's toc adds to headings: the anchor macro replaces it."""
    return ""


def _span_style(style: str) -> Callable[[_Converter, _Element], str]:
    return lambda conv, el: f"{style}{conv.children(el)}</span>"


def _unknown(conv: _Converter, el: _Element) -> str:
    classes = _classes(el)
    name = f"<{el.tag}{' class=' + '.'.join(classes) if classes else ''}>"
    conv.lost(name)
    return ""


def _admonition(conv: _Converter, el: _Element) -> str:
    """``!!!``/``???`` admonitions and ``details``: a panel, or an expand when collapsible."""
    kinds = [c for c in _classes(el) if c in PANEL_OF]
    title_el = next(
        (c for c in el if "admonition-title" in _classes(c) or c.tag == "summary"), None
    )
    title = text_of(title_el).strip() if title_el is not None else None
    parts = [macros.esc(el.text or "")]
    for child in el:
        if child is not title_el and isinstance(child.tag, str):
            parts.append(conv.element(child))
        parts.append(macros.esc(child.tail or ""))
    body = "".join(parts)
    if el.tag == "details":
        return macros.expand(body, title or None)
    kind = PANEL_OF[kinds[0]] if kinds else "info"
    return macros.panel(kind, body, title or None)


def _code(conv: _Converter, el: _Element) -> str:
    """Highlighted code (pymdownx.highlight / codehilite, with or without line numbers) and plain
    ``<pre>``: the code macro with language, title and line numbering."""
    block = code_text(el)
    if block.language in ("mermaid", "diagram"):
        conv.note("a Mermaid diagram is published as its source code (no diagram renderer)")
    first = block.first_line if block.numbered else None
    return macros.code_block(block.text, block.language, block.title, first_line=first)


def _math(conv: _Converter, el: _Element) -> str:
    conv.note("a formula (arithmatex) is published as its source (no math renderer)")
    text = text_of(el)
    if el.tag in ("div", "pre"):
        return macros.code_block(text, None, None)
    return f"<code>{macros.esc(text)}</code>"


def _link(conv: _Converter, el: _Element) -> str:
    href = el.get("href")
    body = conv.children(el)
    if "headerlink" in _classes(el):
        return ""
    if not href:
        return body
    target = conv.resolve(href)
    if isinstance(target, LinkTarget):
        body_x = body or None
        if target.title is None:
            return macros.anchor_link(target.anchor or "", body_x) if target.anchor else body
        return macros.page_link(target.title, anchor=target.anchor, body_xhtml=body_x)
    if isinstance(target, str):
        return macros.attachment_link(target, body or None)
    return macros.web_link(href, body or None, title=el.get("title"))


def _image(conv: _Converter, el: _Element) -> str:
    src, alt = el.get("src") or "", el.get("alt")
    if {"emojione", "twemoji", "gemoji", "emoji"} & set(_classes(el)) and alt:
        return macros.esc(alt)  # pymdownx.emoji: the alt text is the Unicode character
    target = conv.resolve(src) if src else None
    if isinstance(target, str):
        conv.images += (src,)
        return macros.attachment_image(target, alt=alt, title=el.get("title"))
    if src.startswith(("http://", "https://")):
        return macros.url_image(src, alt=alt, title=el.get("title"))
    return conv.note(f"image {src} is not a file of the site and is not shown")


def _table(conv: _Converter, el: _Element) -> str:
    return f"<table><tbody>{''.join(_rows(conv, el))}</tbody></table>"


def _rows(conv: _Converter, el: _Element) -> Iterator[str]:
    for child in el:
        if child.tag == "tr":
            yield conv.element(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from _rows(conv, child)
        elif child.tag == "caption":
            yield f"<tr><th>{conv.children(child)}</th></tr>"


def _task_list(conv: _Converter, el: _Element) -> str:
    """pymdownx.tasklist: ``li.task-list-item`` with a checkbox → native Confluence tasks."""
    items = []
    for li in el:
        if li.tag != "li":
            continue
        box = next(iter(li.iter("input")), None)
        done = box is not None and box.get("checked") is not None
        if box is not None:
            drop_element(box)
        items.append((done, conv.children(li)))
    return macros.task_list(items)


def _tabbed(conv: _Converter, el: _Element) -> str:
    """pymdownx.tabbed: no native tabs in Confluence, so every tab is shown, one after the other,
    each under its label in bold (nothing hidden, and the page prints as it reads)."""
    labels = [text_of(lab).strip() for lab in el.iter("label")]
    blocks = [b for b in el.iter("div") if "tabbed-block" in _classes(b)]
    if not blocks:  # the legacy markup: input, label, div.tabbed-content per tab
        blocks = [b for b in el if "tabbed-content" in _classes(b)]
    out = []
    for label, block in zip(labels, blocks, strict=False):
        out.append(f"<p><strong>{macros.esc(label)}</strong></p>{conv.children(block)}")
    return "".join(out)


def _critic_comment(conv: _Converter, el: _Element) -> str:
    return f"<em>[{conv.children(el)}]</em>"


def _icon(conv: _Converter, el: _Element) -> str:
    title = el.get("title")
    return macros.esc(title) if title else conv.lost("icon (inline SVG)")


def _keys(conv: _Converter, el: _Element) -> str:
    """pymdownx.keys: ``<kbd>`` per key with the separator between."""
    return conv.children(el)


def _definition(tag: str) -> Callable[[_Converter, _Element], str]:
    if tag == "dt":
        return lambda conv, el: (
            f"<p><strong>{conv.inner_anchor(el)}{conv.children(el)}</strong></p>"
        )
    return lambda conv, el: f"<blockquote>{conv.children(el)}</blockquote>"


Rule = Callable[[_Converter, _Element], str]

_BY_CLASS: tuple[tuple[str, str | None, Rule], ...] = (
    ("headerlink", "a", _heading_link),
    ("admonition", None, _admonition),
    ("arithmatex", None, _math),
    ("tabbed-set", None, _tabbed),
    ("task-list", None, _task_list),
    ("twemoji", "span", _icon),
    ("task-list-control", "label", _transparent),
    ("task-list-indicator", "span", _nothing),
    ("keys", "span", _keys),
    ("comment", "span", _critic_comment),
)
_BY_TAG: dict[str, Rule] = {
    **dict.fromkeys(_SIMPLE_BLOCK, _simple),
    **dict.fromkeys(_SIMPLE_INLINE, _simple),
    **dict.fromkeys(_TRANSPARENT, _transparent),
    **dict.fromkeys(_SILENT, _nothing),
    "details": _admonition,
    "a": _link,
    "img": _image,
    "table": _table,
    "br": _void("br"),
    "hr": _void("hr"),
    "mark": _span_style(macros.HIGHLIGHT_OPEN),
    "del": _span_style(macros.STRUCK_OPEN),
    "s": _span_style(macros.STRUCK_OPEN),
    "strike": _span_style(macros.STRUCK_OPEN),
    "abbr": _transparent,  # the expansion is hover text on the site; Confluence has none
    "dl": _transparent,
    "dt": _definition("dt"),
    "dd": _definition("dd"),
    "figcaption": lambda conv, el: f"<p><em>{conv.children(el)}</em></p>",
}


_ANCHOR_INSIDE = frozenset({_simple, _BY_TAG["dt"]})


def _rule_of(el: _Element) -> Rule:
    if not isinstance(el.tag, str):
        return _nothing  # comments, processing instructions
    classes = _classes(el)
    if "arithmatex" in classes:
        return _math
    if is_code_block(el):
        return _code
    for cls, tag, rule in _BY_CLASS:
        if cls in classes and (tag is None or tag == el.tag):
            return rule
    return _BY_TAG.get(str(el.tag), _unknown)
