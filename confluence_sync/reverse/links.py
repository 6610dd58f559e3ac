"""Links and images back to Markdown: pages and attachments become repository paths again.

The ``LinkMap`` answers where a page title or an attachment name lives in the repository. An
attachment the repository does not have is recorded as new, to be downloaded next to the page.
A link the map cannot place keeps its text and is reported, rather than pointing nowhere.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from confluence_sync.reverse.diagram_fences import math_source
from confluence_sync.reverse.escape import escape_text, link_destination, link_title
from confluence_sync.reverse.flow import content_nodes, inline_nodes
from confluence_sync.reverse.link_map import NewAttachment
from confluence_sync.reverse.names import ac, child, qname, qualify, ri, text_of
from confluence_sync.reverse.reverse_context import ReverseContext, Unrepresentable
from confluence_sync.reverse.untrusted import link_refusal

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_AUTOLINK = re.compile(r"^(?:https?://|mailto:)[^\s<>]*$", re.IGNORECASE)
_IMAGE_LAYOUT = frozenset({"ac:alt", "ac:title", "ac:width", "ac:height", "ac:align"})
_ALIGN = frozenset({"left", "center", "right"})


def _body(element: etree._Element | None, ctx: ReverseContext) -> str:
    if element is None:
        return ""
    ctx.state.line_start = False
    return inline_nodes(content_nodes(element), ctx)


def web_link(element: etree._Element, ctx: ReverseContext) -> str:
    """``<a href>``: an autolink when the text is the address, else ``[text](url "title")``."""
    href = element.get("href")
    if href is None:
        raise Unrepresentable("<a> without href")
    refused = link_refusal(href)
    if refused is not None:
        ctx.refuse(f"link to {href!r} kept as text: {refused}")
        return _body(element, ctx)
    plain = text_of(element)
    title = element.get("title")
    if len(element) == 0 and title is None and _AUTOLINK.match(href):
        if plain == href:
            return f"<{href}>"
        if href.lower() == f"mailto:{plain}".lower() and "@" in plain:
            return f"<{plain}>"
    text = _body(element, ctx)
    suffix = f" {link_title(title)}" if title else ""
    return f"[{text}]({link_destination(href)}{suffix})"


def _path_destination(path: str, fragment: str | None = None) -> str:
    """A repository path as a link destination: ``%``, ``#`` and ``?`` encoded (the forward
    converter decodes paths and splits off fragments and queries)."""
    if not _SCHEME.match(path):
        path = path.replace("%", "%25").replace("#", "%23").replace("?", "%3F")
    return link_destination(path + (f"#{fragment}" if fragment else ""))


def confluence_link(element: etree._Element, ctx: ReverseContext) -> str:
    """``ac:link`` to a page (maybe at an anchor), an attachment, or an anchor on this page."""
    anchor = element.get(ac("anchor"))
    rich = child(element, "ac:link-body")
    plain_body = child(element, "ac:plain-text-link-body")
    plain = text_of(plain_body) if plain_body is not None else None
    resources = [c for c in element if qname(c).startswith("ri:")]
    if len(resources) > 1:
        raise Unrepresentable("a link with several targets")
    resource = resources[0] if resources else None
    if resource is None:
        if not anchor:
            raise Unrepresentable("a link without a target")
        return _link(rich, plain, anchor, f"#{anchor}", ctx)
    kind = qname(resource)
    if kind == "ri:page":
        return _page_link(resource, anchor, rich, plain, ctx)
    if kind == "ri:attachment" and len(resource) == 0:
        path = attachment_destination(resource.get(ri("filename"), ""), ctx)
        return _link(rich, plain, resource.get(ri("filename"), ""), path, ctx)
    raise Unrepresentable(f"a link to {kind}")


def _link(
    rich: etree._Element | None,
    plain: str | None,
    default: str | None,
    destination: str,
    ctx: ReverseContext,
) -> str:
    """``[text](destination)``; text the converter would supply itself stays empty."""
    if rich is not None:
        text = _body(rich, ctx)
    elif plain is None or plain == default:
        text = ""
    else:
        text = escape_text(plain, line_start=False)
    return f"[{text}]({destination})"


def _page_link(
    resource: etree._Element,
    anchor: str | None,
    rich: etree._Element | None,
    plain: str | None,
    ctx: ReverseContext,
) -> str:
    title = resource.get(ri("content-title"), "")
    space = resource.get(ri("space-key"))
    links = ctx.state.links
    path = links.page_path(title, space) if links is not None else None
    if path is None:
        ctx.warn(f"link to page '{title}' has no file in the repository; only its text is kept")
        if rich is not None:
            return _body(rich, ctx)
        return escape_text(plain if plain is not None else title, line_start=False)
    return _link(rich, plain, None, _path_destination(path, anchor), ctx)


def attachment_destination(filename: str, ctx: ReverseContext) -> str:
    """Where the file behind an attachment of this page is (or will be, once downloaded)."""
    links = ctx.state.links
    path = links.attachment_path(filename) if links is not None else None
    if path is None:
        folder = ctx.state.attachment_folder
        path = posixpath.join(folder, filename) if folder else filename
        ctx.state.new_attachments.setdefault(filename, NewAttachment(filename, path))
    return _path_destination(path)


def image(element: etree._Element, ctx: ReverseContext) -> str:
    """``ac:image`` → ``![alt](path "title")``, with ``{ width=… height=… align=… }`` (attr_list)
    for the pixel sizes and alignment the converter also writes; other layout is dropped."""
    resource = next((c for c in element if qname(c).startswith("ri:")), None)
    if resource is None or len(resource) != 0:
        raise Unrepresentable("an image of another page or without a source")
    if qname(resource) == "ri:attachment" and (formula := math_source(element)) is not None:
        return formula
    if qname(resource) == "ri:attachment":
        destination = attachment_destination(resource.get(ri("filename"), ""), ctx)
    elif qname(resource) == "ri:url":
        url = resource.get(ri("value"), "")
        refused = link_refusal(url, image=True)
        if refused is not None:
            ctx.refuse(f"image from {url!r} kept as its alt text: {refused}")
            return escape_text(element.get(ac("alt"), ""), line_start=False).replace("\n", " ")
        destination = link_destination(url)
    else:
        raise Unrepresentable(f"an image from {qname(resource)}")
    dropped = sorted(a for a in map(qualify, element.attrib) if a not in _IMAGE_LAYOUT)
    if dropped or child(element, "ac:caption") is not None:
        ctx.warn(f"image {destination}: {', '.join(dropped) or 'caption'} not kept in Markdown")
    alt = escape_text(element.get(ac("alt"), ""), line_start=False).replace("\n", " ")
    title = element.get(ac("title"))
    suffix = f" {link_title(title)}" if title else ""
    return f"![{alt}]({destination}{suffix}){_layout(element)}"


def _layout(element: etree._Element) -> str:
    """The attribute list for an image's checked sizes and alignment ("" when it has none);
    values from the wiki that are not plain numbers or known alignments are left out."""
    parts = [
        f"{key}={value}"
        for key in ("width", "height")
        if (value := element.get(ac(key), "")).isdigit() and value.isascii()
    ]
    if (align := element.get(ac("align"), "")) in _ALIGN:
        parts.append(f"align={align}")
    return "{ " + " ".join(parts) + " }" if parts else ""
