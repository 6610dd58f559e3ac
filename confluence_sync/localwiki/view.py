"""The HTML view for people: ``{base}/spaces/KEY`` and ``{base}/spaces/KEY/pages/ID/slug``.

Server-rendered, no JavaScript: a page tree on the left, the page rendered from storage format
on the right. It reads the same store as the REST API and is neither logged nor faulted.
"""

from __future__ import annotations

import html
from urllib.parse import quote, unquote

from lxml import etree
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.app import WikiState
from confluence_sync.localwiki.httperror import ApiError
from confluence_sync.localwiki.render import Renderer, macro_params
from confluence_sync.localwiki.report import (
    ReportRow,
    build_table,
    page_details,
    report_error,
    report_query,
)
from confluence_sync.localwiki.routes_search import run_cql
from confluence_sync.localwiki.shapes import Shaper
from confluence_sync.localwiki.site import display_name, webui_path
from confluence_sync.localwiki.store import ContentRow, Store

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#172b4d}
header{background:#0747a6;color:#fff;padding:.6em 1.2em}header a{color:#fff;text-decoration:none}
.layout{display:flex}nav{width:18em;padding:1em;border-right:1px solid #dfe1e6;min-height:90vh}
nav ul{list-style:none;padding-left:1em;margin:.2em 0}nav>ul{padding-left:0}
nav a{color:#42526e;text-decoration:none}nav a.current{font-weight:bold;color:#0052cc}
main{flex:1;padding:1em 2em;max-width:60em}.meta{color:#6b778c;font-size:.9em}
.crumbs{font-size:.9em;color:#6b778c}.crumbs a{color:#6b778c}
table{border-collapse:collapse;margin:.8em 0}th,td{border:1px solid #c1c7d0;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#f4f5f7}
pre{background:#f4f5f7;padding:.8em;overflow:auto;border-radius:3px}
.code-title{font-weight:bold;font-size:.9em;padding:.2em 0}
.panel{border-left:4px solid;padding:.5em 1em;margin:.8em 0;border-radius:3px}
.panel-title{font-weight:bold}.panel-info{background:#deebff;border-color:#0052cc}
.panel-tip{background:#e3fcef;border-color:#00875a}.panel-note{background:#fffae6;border-color:#ff991f}
.panel-warning{background:#ffebe6;border-color:#de350b}.panel-panel{background:#f4f5f7;border-color:#c1c7d0}
.lozenge{font-size:.75em;font-weight:bold;padding:.1em .4em;border-radius:3px;background:#dfe1e6}
.lozenge-green{background:#e3fcef;color:#006644}.lozenge-red{background:#ffebe6;color:#bf2600}
.lozenge-yellow{background:#fffae6;color:#974f0c}.lozenge-blue{background:#deebff;color:#0747a6}
.lozenge-purple{background:#eae6ff;color:#403294}.task-list{list-style:none;padding-left:.5em}
.task-list li.complete span{text-decoration:line-through;color:#6b778c}
.missing-link{color:#de350b;text-decoration:underline dotted}.jira{font-family:monospace}
.labels span{background:#dfe1e6;border-radius:3px;padding:.1em .4em;margin-right:.3em;
font-size:.85em}
img{max-width:100%}
"""


class PageResolver:
    """Answers the renderer's questions about links, images and child pages of one page."""

    def __init__(self, state: WikiState, page: ContentRow | None, space_key: str) -> None:
        assert state.site is not None
        self.state = state
        self.store: Store = state.store
        self.page = page
        self.space_key = space_key
        self.context = state.site.context
        self.shaper = Shaper(state.store, state.site)

    def url(self, row: ContentRow) -> str:
        return self.context + webui_path(row.space_key, row.id, row.title)

    def page_url(self, title: str, space_key: str | None) -> str | None:
        row = self.store.find_title(space_key or self.space_key, title, "page")
        return self.url(row) if row else None

    def attachment_url(self, filename: str, page_title: str | None) -> str | None:
        owner = self.page
        if page_title:
            owner = self.store.find_title(self.space_key, page_title, "page")
        if owner is None:
            return None
        for attachment in self.store.children(owner.id, "attachment"):
            if attachment.title == filename:
                return self.context + self.shaper.download_path(attachment)
        return None

    def child_links(self) -> list[tuple[str, str]]:
        if self.page is None:
            return []
        return [(c.title, self.url(c)) for c in self.store.children(self.page.id)]

    def report(self, macro: etree._Element) -> etree._Element:
        try:
            found = run_cql(self.store, self.shaper, report_query(macro), self.space_key)
        except ApiError as error:
            return report_error(error.message)
        wanted = macro_params(macro).get("id") or None
        rows = []
        for row in found:
            if row.type != "page" or (self.page is not None and row.id == self.page.id):
                continue
            cells = page_details(row.body, wanted)
            if cells is not None:
                rows.append(ReportRow(row, self.url(row), cells))

        def cell(src: etree._Element, dst: etree._Element) -> None:
            Renderer(PageResolver(self.state, None, self.space_key)).children(src, dst)

        return build_table(macro, rows, cell)


def render_view(state: WikiState, request: Request) -> Response | None:
    """Answer a browser, or None when the path is not the view's."""
    assert state.site is not None
    path = request.path
    if not path.startswith(state.site.context + "/") and path != state.site.context:
        return None
    parts = [unquote(p) for p in path[len(state.site.context) :].split("/") if p]
    if not parts or parts == ["spaces"]:
        return _html(_space_list(state))
    if parts[0] == "download" and len(parts) == 4 and parts[1] == "attachments":
        return _download(state, parts[2], parts[3])
    if parts[0] != "spaces" or len(parts) < 2 or state.store.space(parts[1]) is None:
        return None
    space = state.store.space(parts[1])
    assert space is not None
    if len(parts) >= 4 and parts[2] == "pages":
        row = state.store.content(parts[3])
        if row is None or row.status != "current" or row.space_key != space.key:
            return _html(_shell(state, space.key, None, "<p>No such page.</p>"), 404)
        return _html(_page(state, row))
    home = state.store.content(space.homepage_id) if space.homepage_id else None
    if home is None:
        return _html(_shell(state, space.key, None, "<p>This space has no home page.</p>"))
    return _html(_page(state, home))


def _html(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/html; charset=utf-8")


def _download(state: WikiState, page_id: str, filename: str) -> Response | None:
    for attachment in state.store.children(page_id, "attachment"):
        if attachment.title == filename:
            return Response(
                attachment.data or b"",
                content_type=attachment.media_type,
                headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"},
            )
    return None


def _space_list(state: WikiState) -> str:
    assert state.site is not None
    context = state.site.context
    items = "".join(
        f'<li><a href="{context}/spaces/{html.escape(s.key)}">{html.escape(s.name)}</a></li>'
        for s in state.store.spaces()
    )
    return _document("Spaces", f"<main><h1>Spaces</h1><ul>{items}</ul></main>", state)


def _page(state: WikiState, row: ContentRow) -> str:
    resolver = PageResolver(state, row, row.space_key)
    try:
        body = Renderer(resolver).render(row.body)
    except ApiError as error:
        body = f'<div class="panel panel-warning">{html.escape(error.message)}</div>'
    crumbs = " / ".join(
        f'<a href="{html.escape(resolver.url(a))}">{html.escape(a.title)}</a>'
        for a in resolver.shaper.ancestors(row)
    )
    version = state.store.version(row.id, row.version)
    who = display_name(version.by) if version else display_name(row.created_by)
    when = version.at[:16].replace("T", " ") if version else row.created_at[:10]
    labels = "".join(f"<span>{html.escape(lbl.name)}</span>" for lbl in state.store.labels(row.id))
    files = _attachment_links(resolver, row)
    content = (
        f'<div class="crumbs">{crumbs}</div><h1>{html.escape(row.title)}</h1>'
        f'<div class="meta">Version {row.version}, last edited by {html.escape(who)} '
        f"({html.escape(when)} UTC)</div>{body}"
        + (f'<div class="labels">Labels: {labels}</div>' if labels else "")
        + (f"<h3>Attachments</h3><ul>{files}</ul>" if files else "")
    )
    return _shell(state, row.space_key, row, content)


def _attachment_links(resolver: PageResolver, row: ContentRow) -> str:
    links = []
    for attachment in resolver.store.children(row.id, "attachment"):
        href = resolver.context + resolver.shaper.download_path(attachment)
        links.append(f'<li><a href="{html.escape(href)}">{html.escape(attachment.title)}</a></li>')
    return "".join(links)


def _shell(state: WikiState, space_key: str, current: ContentRow | None, content: str) -> str:
    tree = _tree(state, space_key, current)
    title = current.title if current else space_key
    main = f'<div class="layout"><nav>{tree}</nav><main>{content}</main></div>'
    return _document(title, main, state, space_key)


def _tree(state: WikiState, space_key: str, current: ContentRow | None) -> str:
    pages = [
        r
        for r in state.store.all_content("page")
        if r.space_key == space_key and r.status == "current"
    ]
    by_parent: dict[str | None, list[ContentRow]] = {}
    ids = {p.id for p in pages}
    for page in pages:
        parent = page.parent_id if page.parent_id in ids else None
        by_parent.setdefault(parent, []).append(page)
    resolver = PageResolver(state, None, space_key)

    def branch(parent: str | None) -> str:
        items = []
        for page in by_parent.get(parent, []):
            css = ' class="current"' if current is not None and page.id == current.id else ""
            link = f'<a{css} href="{html.escape(resolver.url(page))}">{html.escape(page.title)}</a>'
            items.append(f"<li>{link}{branch(page.id)}</li>")
        return f"<ul>{''.join(items)}</ul>" if items else ""

    return f"<strong>Pages</strong>{branch(None)}"


def _document(title: str, body: str, state: WikiState, space_key: str | None = None) -> str:
    assert state.site is not None
    home = (
        f"{state.site.context}/spaces/{space_key}" if space_key else f"{state.site.context}/spaces"
    )
    label = f"Local wiki · {space_key}" if space_key else "Local wiki"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} - Local wiki</title><style>{_CSS}</style></head><body>"
        f'<header><a href="{html.escape(home)}">{html.escape(label)}</a></header>'
        f"{body}</body></html>"
    )
