"""The HTML pages of the view: the space list, a page with its tree, breadcrumbs, labels and
attachments, all inside one document shell with inline CSS (no JavaScript, no static files)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from confluence_sync.localwiki.api_error import ApiError
from confluence_sync.localwiki.html.link_resolver import PageResolver
from confluence_sync.localwiki.html.storage_to_html import Renderer
from confluence_sync.localwiki.store.database import ContentRow
from confluence_sync.localwiki.wiki_urls import display_name

if TYPE_CHECKING:
    from confluence_sync.localwiki.app import WikiState

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
.excerpt{font-size:1.15em;color:#42526e;border-left:3px solid #dfe1e6;padding-left:.8em;
margin:.8em 0}
.excerpt-hidden{border-left-style:dashed}
details.expand{border:1px solid #dfe1e6;border-radius:3px;padding:.3em .8em;margin:.8em 0}
details.expand>summary{cursor:pointer;color:#0052cc}
"""


def space_list_page(state: WikiState) -> str:
    assert state.site is not None
    context = state.site.context
    items = "".join(
        f'<li><a href="{context}/spaces/{html.escape(s.key)}">{html.escape(s.name)}</a></li>'
        for s in state.store.spaces()
    )
    return document("Spaces", f"<main><h1>Spaces</h1><ul>{items}</ul></main>", state)


def page_html(state: WikiState, row: ContentRow) -> str:
    resolver = PageResolver(state, row, row.space_key)
    renderer = Renderer(resolver)
    try:
        body = renderer.render(row.body) + _unsupported_notice(renderer.unsupported)
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
    return shell(state, row.space_key, row, content)


def _unsupported_notice(names: list[str]) -> str:
    """The macros on this page that the local wiki shows only as their name."""
    if not names:
        return ""
    items = "".join(f"<li>{html.escape(n or '(unnamed)')}</li>" for n in names)
    return (
        '<aside class="unsupported"><p>Not rendered by the local wiki'
        " (Confluence would show them):</p>"
        f"<ul>{items}</ul></aside>"
    )


def _attachment_links(resolver: PageResolver, row: ContentRow) -> str:
    links = []
    for attachment in resolver.store.children(row.id, "attachment"):
        href = resolver.context + resolver.shaper.download_path(attachment)
        links.append(f'<li><a href="{html.escape(href)}">{html.escape(attachment.title)}</a></li>')
    return "".join(links)


def shell(state: WikiState, space_key: str, current: ContentRow | None, content: str) -> str:
    tree = _tree(state, space_key, current)
    title = current.title if current else space_key
    main = f'<div class="layout"><nav>{tree}</nav><main>{content}</main></div>'
    return document(title, main, state, space_key)


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


def document(title: str, body: str, state: WikiState, space_key: str | None = None) -> str:
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
