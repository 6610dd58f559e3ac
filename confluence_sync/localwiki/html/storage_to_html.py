"""Storage format -> plain HTML for people, with lxml.

Every element is rebuilt from an allowlist rather than copied, so a page body can never inject
script or attributes into the view; Confluence-only markup (macros, links, images, tasks)
becomes ordinary HTML that reads well without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from confluence_sync.localwiki.html.macro_html import MACROS, render_macro
from confluence_sync.localwiki.html.storage_xml import ac, ri, slug, visible_text
from confluence_sync.localwiki.store.storage_format import AC, parse_storage

_KEEP = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "sub",
    "sup",
    "code",
    "pre",
    "blockquote",
    "br",
    "hr",
    "a",
    "span",
    "div",
    "kbd",
    "small",
    "colgroup",
    "col",
    "caption",
    "dl",
    "dt",
    "dd",
}
_ATTRS = {"colspan", "rowspan", "title", "id", "start"}
_SAFE_HREF = re.compile(r"^(https?:|mailto:|#|/|\.)", re.IGNORECASE)
_EMOTICONS = {
    "tick": "\u2714",
    "cross": "\u2718",
    "warning": "\u26a0",
    "information": "\u2139",
    "smile": "\U0001f642",
    "sad": "\U0001f641",
    "thumbs-up": "\U0001f44d",
    "thumbs-down": "\U0001f44e",
    "star_yellow": "\u2b50",
    "question": "?",
    "plus": "+",
    "minus": "-",
    "light-on": "\U0001f4a1",
}


class Resolver(Protocol):
    """What rendering needs to know about the rest of the wiki."""

    def page_url(self, title: str, space_key: str | None) -> str | None: ...
    def attachment_url(self, filename: str, page_title: str | None) -> str | None: ...
    def child_links(self) -> list[tuple[str, str]]: ...
    def report(self, macro: etree._Element) -> etree._Element: ...


@dataclass
class Renderer:
    """Turns one page body into an HTML fragment."""

    resolver: Resolver
    headings: list[tuple[int, str]] = field(default_factory=list)
    # Macros this view has no rendering for, in page order: the page lists them, so a user of
    # another publisher sees what the local wiki could not show rather than a silent gap.
    unsupported: list[str] = field(default_factory=list)

    def render(self, storage: str) -> str:
        source = parse_storage(storage)
        out = etree.Element("div", {"class": "page-body"})
        self.headings = _collect_headings(source)
        self.children(source, out)
        return etree.tostring(out, encoding="unicode", method="html")

    def children(self, src: etree._Element, dst: etree._Element) -> None:
        _text(dst, src.text)
        for child in src:
            self.node(child, dst)
            _text(dst, child.tail)

    def node(self, el: etree._Element, dst: etree._Element) -> None:
        if not isinstance(el.tag, str):
            return
        name = etree.QName(el)
        if name.namespace is None:
            self.html(el, name.localname, dst)
        elif name.namespace == AC:
            handler = self._ac_handlers().get(name.localname)
            if handler is not None:
                handler(el, dst)
            elif name.localname not in ("parameter", "placeholder", "task-id", "task-uuid"):
                self.children(el, dst)

    def html(self, el: etree._Element, tag: str, dst: etree._Element) -> None:
        if tag not in _KEEP:
            self.children(el, dst)
            return
        attrs = {str(k): str(v) for k, v in el.attrib.items() if k in _ATTRS}
        new = etree.SubElement(dst, tag, attrs)
        if tag == "a":
            href = el.get("href", "")
            if _SAFE_HREF.match(href):
                new.set("href", _own_page(href) or href)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and "id" not in new.attrib:
            new.set("id", slug(visible_text(el)))
        self.children(el, new)

    def _ac_handlers(self) -> Mapping[str, Callable[[etree._Element, etree._Element], None]]:
        return {
            "structured-macro": self.macro,
            "task-list": self.tasks,
            "link": self.link,
            "image": self.image,
            "emoticon": self.emoticon,
            "adf-extension": self.adf,
        }

    def macro(self, el: etree._Element, dst: etree._Element) -> None:
        name = el.get(ac("name"), "")
        if name not in MACROS and name not in self.unsupported:
            self.unsupported.append(name)
        render_macro(self, el, dst)

    # other ac: elements -------------------------------------------------------------------
    def tasks(self, el: etree._Element, dst: etree._Element) -> None:
        listing = etree.SubElement(dst, "ul", {"class": "task-list"})
        for task in el.findall(ac("task")):
            done = (task.findtext(ac("task-status")) or "").strip() == "complete"
            item = etree.SubElement(listing, "li", {"class": "complete" if done else "incomplete"})
            box = etree.SubElement(item, "input", {"type": "checkbox", "disabled": "disabled"})
            if done:
                box.set("checked", "checked")
            box.tail = " "
            body = task.find(ac("task-body"))
            if body is not None:
                self.children(body, etree.SubElement(item, "span"))

    def link(self, el: etree._Element, dst: etree._Element) -> None:
        anchor = el.get(ac("anchor"))
        page = el.find(ri("page"))
        attachment = el.find(ri("attachment"))
        user = el.find(ri("user"))
        url: str | None
        label = ""
        if page is not None:
            label = page.get(ri("content-title"), "")
            url = self.resolver.page_url(label, page.get(ri("space-key")))
        elif attachment is not None:
            label = attachment.get(ri("filename"), "")
            url = self.resolver.attachment_url(label, None)
        elif user is not None:
            label = "@" + (user.get(ri("username")) or user.get(ri("account-id")) or "user")
            url = None
        else:
            url = ""
        if url is not None and anchor:
            url = f"{url}#{anchor}"
        target = (
            etree.SubElement(dst, "a", {"href": url})
            if url is not None
            else etree.SubElement(
                dst, "span", {"class": "missing-link", "title": "No such page in this wiki"}
            )
        )
        self._link_body(el, target, label or anchor or "")

    def _link_body(self, el: etree._Element, target: etree._Element, fallback: str) -> None:
        plain = el.find(ac("plain-text-link-body"))
        rich = el.find(ac("link-body"))
        if rich is not None:
            self.children(rich, target)
        else:
            target.text = plain.text if plain is not None and plain.text else fallback

    def image(self, el: etree._Element, dst: etree._Element) -> None:
        attachment = el.find(ri("attachment"))
        remote = el.find(ri("url"))
        src: str | None = None
        if attachment is not None:
            owner = attachment.find(ri("page"))
            src = self.resolver.attachment_url(
                attachment.get(ri("filename"), ""),
                owner.get(ri("content-title")) if owner is not None else None,
            )
        elif remote is not None and _SAFE_HREF.match(remote.get(ri("value"), "")):
            src = remote.get(ri("value"))
        if src is None:
            etree.SubElement(dst, "span", {"class": "missing-image"}).text = "[missing image]"
            return
        img = etree.SubElement(dst, "img", {"src": src, "alt": el.get(ac("alt"), "")})
        for key in ("width", "height"):  # storage format: ac:width / ac:height in pixels
            if (el.get(ac(key)) or "").isdigit():
                img.set(key, el.get(ac(key), ""))
        if el.get(ac("align")) in ("left", "center", "right"):
            img.set("class", f"image-{el.get(ac('align'))}")

    def emoticon(self, el: etree._Element, dst: etree._Element) -> None:
        name = el.get(ac("name"), "")
        _text(dst, _EMOTICONS.get(name, f":{name}:"))

    def adf(self, el: etree._Element, dst: etree._Element) -> None:
        fallback = el.find(ac("adf-fallback"))
        if fallback is not None:
            self.children(fallback, dst)


def _collect_headings(source: etree._Element) -> list[tuple[int, str]]:
    found = []
    for el in source.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        found.append((int(str(el.tag)[1]), visible_text(el).strip()))
    return found


def _text(dst: etree._Element, text: str | None) -> None:
    """Append text after the last child of ``dst`` (lxml keeps it in ``tail``)."""
    if not text:
        return
    if len(dst):
        last = dst[-1]
        last.tail = (last.tail or "") + text
    else:
        dst.text = (dst.text or "") + text


# A link to a page by its full web address on this wiki (some publishers, markdown-to-confluence
# among them, write ``https://{domain}/wiki/spaces/KEY/pages/ID/Title`` even when the wiki speaks
# http): on a loopback host it is this wiki's page, so the view links it as its own links are.
_OWN_PAGE = re.compile(
    r"^https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?((?:/wiki)?/spaces/[^/?#]+/pages/\d+[^?#]*)"
)


def _own_page(href: str) -> str | None:
    found = _OWN_PAGE.match(href)
    return found.group(1) if found else None
