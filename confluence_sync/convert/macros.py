"""Every piece of Confluence markup (``ac:``/``ri:``) and every XML escape lives here.

Storage format is XML, not HTML: one unescaped ``&`` or an unsplit ``]]>`` and Confluence answers
400 "Error parsing xhtml". Keeping the writers in one flat module of small functions means the
escaping rules are applied in exactly one place, and callers (converter, template renderer) only
ever pass plain text or already-built storage fragments.

Conventions for arguments: ``text``/``title``/``name`` are plain text (escaped here); arguments
named ``*_xhtml`` are storage fragments that the caller built with these functions (inserted as is).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from confluence_sync.convert.languages import confluence_language

# XML 1.0 allows tab, newline, carriage return and most of the BMP and beyond, but not the other C0
# controls, lone surrogates or U+FFFE/U+FFFF. lxml (and Confluence) refuse a document containing
# them,
# so they are dropped rather than escaped: there is no legal way to write them.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

STRUCK_OPEN = '<span style="text-decoration: line-through;">'  # Confluence's own strikethrough
HIGHLIGHT_OPEN = '<span style="background-color: rgb(255,247,214);">'  # its text highlight
PANEL_KINDS = frozenset({"info", "tip", "note", "warning"})
STATUS_COLOURS = ("Grey", "Red", "Yellow", "Green", "Blue", "Purple")


def strip_illegal(text: str) -> str:
    """Remove code points that XML 1.0 cannot carry in any form."""
    return _ILLEGAL_XML.sub("", text)


def esc(text: str) -> str:
    """Escape text content; ``>`` too, so a literal ``]]>`` in text is never mistaken for CDATA
    end."""
    text = _ILLEGAL_XML.sub("", text)  # strip_illegal, inlined: this runs for every text node
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    """Escape a value for a double-quoted attribute."""
    return esc(value).replace('"', "&quot;")


def cdata(text: str) -> str:
    """Wrap text in CDATA; a ``]]>`` inside is split across two sections so it survives intact."""
    body = strip_illegal(text).replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{body}]]>"


def _param(name: str, value: str) -> str:
    return f'<ac:parameter ac:name="{attr(name)}">{esc(value)}</ac:parameter>'


def macro(
    name: str,
    params: Mapping[str, str] | None = None,
    *,
    rich_body: str | None = None,
    plain_body: str | None = None,
) -> str:
    """A structured macro; parameters keep the caller's order so output is deterministic."""
    if rich_body is not None and plain_body is not None:
        raise ValueError("a macro has either a rich-text body or a plain-text body, not both")
    parts = [f'<ac:structured-macro ac:name="{attr(name)}">']
    parts.extend(_param(k, v) for k, v in (params or {}).items())
    if rich_body is not None:
        parts.append(f"<ac:rich-text-body>{rich_body}</ac:rich-text-body>")
    if plain_body is not None:
        parts.append(f"<ac:plain-text-body>{cdata(plain_body)}</ac:plain-text-body>")
    parts.append("</ac:structured-macro>")
    return "".join(parts)


def rich_macro_open(name: str, params: Mapping[str, str] | None = None) -> str:
    """A macro with a rich-text body, up to where the body starts; ``RICH_MACRO_CLOSE`` ends it.

    For bodies produced piece by piece (raw HTML ``<details>`` becoming an ``expand``).
    """
    head = "".join(_param(k, v) for k, v in (params or {}).items())
    return f'<ac:structured-macro ac:name="{attr(name)}">{head}<ac:rich-text-body>'


RICH_MACRO_CLOSE = "</ac:rich-text-body></ac:structured-macro>"


def expand(body_xhtml: str, title: str | None = None) -> str:
    """A collapsed section; Confluence shows its own "Click here to expand..." without a title."""
    return macro("expand", {"title": title} if title else {}, rich_body=body_xhtml)


def panel(kind: str, body_xhtml: str, title: str | None = None) -> str:
    """An info/tip/note/warning box. Beware Confluence's naming: ``note`` is yellow, ``warning``
    red."""
    if kind not in PANEL_KINDS:
        raise ValueError(f"unknown panel kind {kind!r}; expected one of {sorted(PANEL_KINDS)}")
    params = {"title": title} if title else {}
    return macro(kind, params, rich_body=body_xhtml)


def code_block(
    code: str,
    language: str | None = None,
    title: str | None = None,
    *,
    first_line: int | None = None,
) -> str:
    """The code macro; a language Confluence does not know is left out (it would show an error).
    ``first_line``: numbered lines, starting there (None: no line numbers)."""
    params: dict[str, str] = {}
    lang = confluence_language(language) if language else None
    if lang:
        params["language"] = lang
    if title:
        params["title"] = title
    if first_line is not None:
        params["linenumbers"] = "true"
        if first_line != 1:
            params["firstline"] = str(first_line)
    return macro("code", params, plain_body=code)


def status(text: str, colour: str = "Grey") -> str:
    """A status lozenge; Confluence spells the parameter ``colour`` and capitalises the values."""
    normal = colour.strip().capitalize()
    if normal not in STATUS_COLOURS:
        raise ValueError(f"unknown status colour {colour!r}; expected one of {STATUS_COLOURS}")
    return macro("status", {"colour": normal, "title": text})


def jira(key: str, server: str | None = None) -> str:
    """A Jira issue macro; Confluence fills in ``serverId`` from its application link."""
    params = {"server": server} if server else {}
    params["key"] = key
    return macro("jira", params)


def anchor(name: str) -> str:
    """An anchor target; its single parameter has an empty name (the default parameter)."""
    return macro("anchor", {"": name})


def excerpt(body_xhtml: str) -> str:
    """A hidden page excerpt (from MkDocs' ``description``): not shown on the page, but used by
    Confluence's search results, page lists and the excerpt-include macro."""
    return macro("excerpt", {"hidden": "true"}, rich_body=f"<p>{body_xhtml}</p>")


def toc() -> str:
    """Table of contents of the page's headings."""
    return macro("toc")


def children() -> str:
    """A list of the page's child pages."""
    return macro("children", {"all": "true"})


def _link_body(body_xhtml: str | None, fallback: str | None) -> str:
    if body_xhtml is not None:
        return f"<ac:link-body>{body_xhtml}</ac:link-body>"
    if fallback is not None:
        return f"<ac:plain-text-link-body>{cdata(fallback)}</ac:plain-text-link-body>"
    return ""


def page_link(title: str, *, anchor: str | None = None, body_xhtml: str | None = None) -> str:
    """A link to another page by title (same space), optionally to an anchor on it."""
    anchor_attr = f' ac:anchor="{attr(anchor)}"' if anchor else ""
    resource = f'<ri:page ri:content-title="{attr(title)}"/>'
    return f"<ac:link{anchor_attr}>{resource}{_link_body(body_xhtml, None)}</ac:link>"


def web_link(url: str, body_xhtml: str | None = None, *, title: str | None = None) -> str:
    """A plain ``<a href>`` (the web, mail); the URL itself is the text when there is no body."""
    title_attr = f' title="{attr(title)}"' if title else ""
    return f'<a href="{attr(url)}"{title_attr}>{body_xhtml or esc(url)}</a>'


def anchor_link(anchor: str, body_xhtml: str | None = None) -> str:
    """A link to an anchor on the same page; without a body the anchor name is the link text."""
    return f'<ac:link ac:anchor="{attr(anchor)}">{_link_body(body_xhtml, anchor)}</ac:link>'


def attachment_link(filename: str, body_xhtml: str | None = None) -> str:
    """A link to a file attached to the current page; without a body the file name shows."""
    resource = f'<ri:attachment ri:filename="{attr(filename)}"/>'
    return f"<ac:link>{resource}{_link_body(body_xhtml, filename)}</ac:link>"


# ``ac:image`` layout attributes (storage format's image element: ``ac:width``, ``ac:height`` in
# pixels, ``ac:align`` left/center/right), as checked values from ``targets.image_layout``.
ImageLayout = Mapping[str, str]
_NO_LAYOUT: ImageLayout = MappingProxyType({})


def _image(resource: str, alt: str | None, title: str | None, layout: ImageLayout) -> str:
    attrs = "".join(f' ac:{key}="{attr(value)}"' for key, value in layout.items())
    if alt:
        attrs += f' ac:alt="{attr(alt)}"'
    if title:
        attrs += f' ac:title="{attr(title)}"'
    return f"<ac:image{attrs}>{resource}</ac:image>"


def attachment_image(
    filename: str,
    *,
    alt: str | None = None,
    title: str | None = None,
    layout: ImageLayout = _NO_LAYOUT,
) -> str:
    """An image stored as an attachment of the current page."""
    return _image(f'<ri:attachment ri:filename="{attr(filename)}"/>', alt, title, layout)


def url_image(
    url: str, *, alt: str | None = None, title: str | None = None, layout: ImageLayout = _NO_LAYOUT
) -> str:
    """An image Confluence loads from a URL."""
    return _image(f'<ri:url ri:value="{attr(url)}"/>', alt, title, layout)


_TASK_LIST_TAG = re.compile(r"<!\[CDATA\[.*?\]\]>|<(/?)ac:task-list>", re.DOTALL)  # CDATA: skipped


def _hoist_task_lists(body: str) -> tuple[str, str]:
    """Split trailing nested task lists off a task body: ``(body, nested_lists)``.

    Confluence stores a sub-task list as a sibling right after its parent ``<ac:task>``, not inside
    the task body, and rewrites anything else on save; emitting its shape keeps diffs quiet.
    """
    nested = ""
    while body.endswith("</ac:task-list>"):
        depth, start = 0, None
        for tag in reversed(list(_TASK_LIST_TAG.finditer(body))):
            if tag.group(1) is None:
                continue
            depth += 1 if tag.group(1) else -1
            if depth == 0:
                start = tag.start()
                break
        if start is None:
            break
        body, nested = body[:start], body[start:] + nested
    return body, nested


def task_list(items: Sequence[tuple[bool, str]]) -> str:
    """Native Confluence tasks; ids are left to Confluence, which assigns them on save.

    A body may end with nested ``task_list(...)`` output: it is moved after the task, where
    Confluence keeps sub-tasks.
    """
    parts = []
    for done, body_xhtml in items:
        body, nested = _hoist_task_lists(body_xhtml)
        parts.append(
            "<ac:task>"
            f"<ac:task-status>{'complete' if done else 'incomplete'}</ac:task-status>"
            f"<ac:task-body>{body}</ac:task-body>"
            f"</ac:task>{nested}"
        )
    return f"<ac:task-list>{''.join(parts)}</ac:task-list>"


def details(rows: Sequence[tuple[str, str]], *, id: str | None = None) -> str:
    """Page properties: a key/value table that a page-properties report can collect across pages."""
    body = "".join(f"<tr><th>{esc(key)}</th><td>{value}</td></tr>" for key, value in rows)
    params = {"id": id} if id else {}
    return macro("details", params, rich_body=f"<table><tbody>{body}</tbody></table>")


def details_summary(
    cql: str,
    *,
    headings: Sequence[str] = (),
    sort_by: str | None = None,
    reverse: bool = False,
    first_column: str = "Title",
) -> str:
    """Page properties report: one row per page matched by ``cql``."""
    params = {"cql": cql}
    if headings:
        params["headings"] = ",".join(headings)
    params["firstcolumn"] = first_column
    if sort_by:
        params["sortBy"] = sort_by
    if reverse:
        params["reverseSort"] = "true"
    return macro("detailssummary", params)
