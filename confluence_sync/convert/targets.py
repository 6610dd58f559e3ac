"""Link and image targets: decide what each one is (another page, an anchor, a file, the web).

Core, not part of the links extension, because raw HTML ``<a href>`` and ``<img src>``
(``extensions/htmlemit.py``) resolve their targets by the same rules as Markdown links.

The rules (DESIGN.md "Storage format"): relative ``.md`` links become Confluence page links, local
files become attachments of the page, the web stays ``<a href>``. A target that cannot be resolved
is recorded as a problem for ``check`` and rendered as its text, so a broken link never produces a
broken page. Script-capable schemes are never emitted as links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from urllib.parse import unquote

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros
from confluence_sync.convert.anchors import plain_text, slugify
from confluence_sync.convert.render_context import RenderContext

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_UNSAFE = ("javascript:", "vbscript:", "data:")
_WEB = ("http://", "https://", "//")
_BODY = "\x00"  # placeholder for a link body: ``macros.esc`` removes NUL, so no body holds one


def _is_unsafe(href: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20]", "", href).lower()
    return squeezed.startswith(_UNSAFE)


def _split(href: str) -> tuple[str, str]:
    """Relative target → (decoded path without query, decoded fragment)."""
    path, _, fragment = href.partition("#")
    path = path.partition("?")[0]
    return unquote(path), unquote(fragment)


def _find_anchor(anchors: Mapping[str, str], fragment: str) -> str | None:
    """Match a fragment the way GitHub does, tolerating case and unslugged heading text."""
    for key in (fragment, fragment.lower(), slugify(fragment)):
        found = anchors.get(key)
        if found:
            return found
    return None


def render_link(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A link; problems point at the line where it starts, even if its text spans lines."""
    start = ctx.state.line
    body = ctx.inline_children(node)
    end, ctx.state.line = ctx.state.line, start
    title = node.attrs.get("title")
    try:
        href = str(node.attrs.get("href", "") or "")
        return _link(node, ctx, href, body, str(title) if title else None)
    finally:
        ctx.state.line = end


def link_parts(
    node: SyntaxTreeNode, ctx: RenderContext, href: str, title: str | None = None
) -> tuple[str, str]:
    """The markup before and after a link's body, for a body that comes piece by piece (a raw
    HTML ``<a href>``); same targets, same checks as a Markdown link."""
    markup = _link(node, ctx, href, _BODY, title)
    before, _, after = markup.partition(_BODY)
    return before, after


def _link(
    node: SyntaxTreeNode, ctx: RenderContext, href: str, body: str, title: str | None = None
) -> str:
    """Dispatch on the kind of target; ``[](target)`` gets a visible text, never an empty link."""
    if not href or _is_unsafe(href):
        return body
    if href.startswith("#"):
        return _same_page(node, ctx, unquote(href[1:]), body)
    if _SCHEME.match(href) or href.startswith("/"):
        if href.startswith(_WEB):
            ctx.state.external_links[href] = None
        return macros.web_link(href, body, title=title)
    return _relative(node, ctx, href, body)


# The problems a site may publish as warnings (``links = "warn"``): a target that is not there.
# A path leaving the repository or an unsafe scheme stays an error whatever the setting.
_BROKEN = re.compile(r"(?:no heading #|link to missing page |file not found: )")


def is_broken_link(message: str) -> bool:
    """Whether a problem says a link's target is missing (the link was rendered as text)."""
    return _BROKEN.match(message) is not None


def _same_page(node: SyntaxTreeNode, ctx: RenderContext, fragment: str, body: str) -> str:
    if not fragment:
        return body
    anchor = _find_anchor(ctx.state.anchors, fragment)
    if anchor is None:
        if ctx.state.resolver is not None:
            ctx.problem(node, f"no heading #{fragment} on this page")
            return body or macros.esc(fragment)
        anchor = fragment
    return macros.anchor_link(anchor, body or None)


def _relative(node: SyntaxTreeNode, ctx: RenderContext, href: str, body: str) -> str:
    path, fragment = _split(href)
    if not path:
        return _same_page(node, ctx, fragment, body)
    resolver = ctx.state.resolver
    is_page = path.lower().endswith(".md")
    if resolver is None:
        if is_page:
            title = PurePosixPath(path).stem
            return macros.page_link(title, anchor=fragment or None, body_xhtml=body or None)
        attachment = ctx.state.attachments.add(Path(path))
        return macros.attachment_link(attachment.filename, body or None)
    target = resolver.resolve_page(path)
    if target is not None:
        anchor = None
        if fragment:
            anchor = _find_anchor(target.anchors, fragment)
            if anchor is None:
                ctx.problem(node, f"no heading #{fragment} in {path}")
                return body or macros.esc(target.title)
        return macros.page_link(target.title, anchor=anchor, body_xhtml=body or None)
    if is_page:
        ctx.problem(node, f"link to missing page {path}")
        return body
    found = resolver.resolve_file(path)
    if isinstance(found, str):
        ctx.problem(node, found)
        return body
    return macros.attachment_link(ctx.state.attachments.add(found).filename, body or None)


def render_image(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    src = str(node.attrs.get("src", "") or "")
    title = str(node.attrs.get("title") or "") or None
    layout = image_layout({k: str(v) for k, v in node.attrs.items()}, lambda m: ctx.warn(node, m))
    return image_markup(node, ctx, src, plain_text(node) or None, title, layout)


_DRAWIO = (".drawio", ".dio", ".drawio.xml")  # diagram sources; .drawio.png/.svg are images
_PIXELS = re.compile(r"\s*(\d{1,5})\s*(?:px)?\s*", re.IGNORECASE)
_ALIGN = frozenset({"left", "center", "right"})


def image_layout(attrs: Mapping[str, str], warn: Callable[[str], None]) -> macros.ImageLayout:
    """Width, height and alignment of an image (attr_list ``{ width=300 }`` or raw ``<img
    width height align>``) as ``ac:image`` takes them: pixels, left/center/right. A size
    Confluence cannot take (a percentage, ``auto``) is left out with a warning."""
    layout: dict[str, str] = {}
    for key in ("width", "height"):
        value = attrs.get(key)
        if value is None:
            continue
        match = _PIXELS.fullmatch(value)
        if match is None or int(match.group(1)) == 0:
            warn(f"image {key} {value!r} is not kept (Confluence sizes images in pixels)")
            continue
        layout[key] = match.group(1)
    align = (attrs.get("align") or "").strip().lower()
    if align == "middle":
        align = "center"
    if align in _ALIGN:
        layout["align"] = align
    elif align:
        warn(f"image align {align!r} is not kept (left, center or right are)")
    return layout


def image_markup(
    node: SyntaxTreeNode,
    ctx: RenderContext,
    src: str,
    alt: str | None,
    title: str | None,
    layout: macros.ImageLayout = MappingProxyType({}),
) -> str:
    """An image from its source: the web stays a URL, a local file becomes an attachment."""
    if src.split("#")[0].split("?")[0].lower().endswith(_DRAWIO):
        ctx.warn(node, "a draw.io file is not an image Confluence shows; export it to PNG or SVG")
    if src.startswith((*_WEB, "/")):
        if src.startswith(_WEB):
            ctx.state.external_links[src] = None
        return macros.url_image(src, alt=alt, title=title, layout=layout)
    if not src or _SCHEME.match(src):
        return macros.esc(alt or "")
    path, _ = _split(src)
    resolver = ctx.state.resolver
    if resolver is None:
        found: Path | str = Path(path)
    else:
        found = resolver.resolve_file(path)
    if isinstance(found, str):
        ctx.problem(node, found)
        return macros.esc(alt or "")
    attachment = ctx.state.attachments.add(found)
    return macros.attachment_image(attachment.filename, alt=alt, title=title, layout=layout)
