"""CQL search: ``/content/search`` (plain Content) and ``/search`` (SearchResult wrappers).

Cloud pages search results with an opaque ``cursor``; Data Center with ``start``. Both are
emitted as each product does so that client pagination bugs show up here, not in production.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.expansion import Expansion
from confluence_sync.localwiki.api.handler_context import (
    Ctx,
    Handler,
    Route,
    json_response,
    page_params,
    route_table,
)
from confluence_sync.localwiki.api_error import ApiError
from confluence_sync.localwiki.store.cql import run_cql
from confluence_sync.localwiki.store.database import ContentRow


def _cursor_start(request: Request) -> int | None:
    cursor = request.args.get("cursor")
    if not cursor:
        return None
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["start"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(400, "Invalid cursor") from exc


def _cursor(start: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"start": start}).encode()).decode()


def _page(ctx: Ctx, request: Request) -> tuple[list[ContentRow], int, int, int]:
    start, limit = page_params(request, 25, 200)
    from_cursor = _cursor_start(request)
    start = from_cursor if from_cursor is not None else start
    store = ctx.state.store
    cql = request.args.get("cql", "")
    rows = store.remembered("cql:" + cql, lambda: run_cql(store, cql, light=True))
    rows = ctx.state.restrictions.visible(rows, ctx.user)  # hidden pages are never found
    shown = [full for r in rows[start : start + limit] if (full := store.content(r.id))]
    return shown, start, limit, len(rows)


def _links(
    ctx: Ctx, request: Request, path: str, start: int, limit: int, shown: int, total: int
) -> dict[str, str]:
    site = ctx.shaper.site
    kept = [
        (k, v) for k, v in request.args.items(multi=True) if k not in ("start", "limit", "cursor")
    ]
    links = {
        "base": site.base,
        "context": site.context,
        "self": f"{site.base}{path}?{urlencode(kept)}",
    }

    def link(at: int) -> str:
        where = ("cursor", _cursor(at)) if site.cloud else ("start", str(at))
        return f"{path}?{urlencode([*kept, ('limit', str(limit)), where])}"

    if start + shown < total:
        links["next"] = link(start + limit)
    if site.cloud and start > 0:
        links["prev"] = link(max(start - limit, 0))
    return links


def content_search(ctx: Ctx, request: Request) -> Response:
    rows, start, limit, total = _page(ctx, request)
    expand = Expansion(request.args.get("expand"))
    path = f"{ctx.api}/content/search"
    return json_response(
        {
            "results": [ctx.shaper.content(r, expand) for r in rows],
            "start": start,
            "limit": limit,
            "size": len(rows),
            "_links": _links(ctx, request, path, start, limit, len(rows), total),
        }
    )


def search(ctx: Ctx, request: Request) -> Response:
    began = time.monotonic()
    rows, start, limit, total = _page(ctx, request)
    expand = Expansion(
        ",".join(p.removeprefix("content.") for p in request.args.get("expand", "").split(",") if p)
    )
    path = f"{ctx.api}/search"
    return json_response(
        {
            "results": [_result(ctx, r, expand) for r in rows],
            "start": start,
            "limit": limit,
            "size": len(rows),
            "totalSize": total,
            "cqlQuery": request.args.get("cql", ""),
            "searchDuration": int((time.monotonic() - began) * 1000),
            "archivedResultCount": 0,
            "_links": _links(ctx, request, path, start, limit, len(rows), total),
        }
    )


def _result(ctx: Ctx, row: ContentRow, expand: Expansion) -> dict[str, Any]:
    content = ctx.shaper.content(row, expand)
    space = ctx.state.store.space(row.space_key)
    modified = ctx.state.store.modified(row)
    return {
        "content": content,
        "title": row.title,
        "excerpt": "",
        "url": content["_links"]["webui"],
        "resultGlobalContainer": {
            "title": space.name if space else row.space_key,
            "displayUrl": f"/spaces/{row.space_key}",
        },
        "breadcrumbs": [],
        "entityType": "content",
        "iconCssClass": "aui-iconfont-page-default" if row.type == "page" else "aui-iconfont-file",
        "lastModified": modified,
        "friendlyLastModified": modified[:10],
        "score": 0.0,
    }


def routes() -> list[Route]:
    table: list[tuple[str, str, Handler, bool]] = [
        ("/content/search", "GET", content_search, False),
        ("/search", "GET", search, False),
    ]
    return route_table(table)
