"""Handlers for the labels of a page: list, add, remove."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.handler_context import (
    Ctx,
    Handler,
    Route,
    json_response,
    page_params,
    read_json,
    route_table,
)
from confluence_sync.localwiki.api_error import bad_request


def get_labels(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    start, limit = page_params(request, 200, 200)
    prefix = request.args.get("prefix")
    rows = [r for r in ctx.state.store.labels(content_id) if prefix in (None, r.prefix)]
    return json_response(
        ctx.shaper.labels(rows, start, limit, f"{ctx.api}/content/{content_id}/label")
    )


def add_labels(ctx: Ctx, request: Request, content_id: str) -> Response:
    data = read_json(request)
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise bad_request("Labels must be objects with a prefix and a name.")
    ctx.state.labels.add(content_id, items)
    rows = ctx.state.store.labels(content_id)
    return json_response(ctx.shaper.labels(rows, 0, 200, f"{ctx.api}/content/{content_id}/label"))


def remove_label_query(ctx: Ctx, request: Request, content_id: str) -> Response:
    name = request.args.get("name")
    if not name:
        raise bad_request("The name of the label to remove is required.")
    ctx.state.labels.remove(content_id, name)
    return Response(status=204)


def remove_label(ctx: Ctx, request: Request, content_id: str, name: str) -> Response:
    ctx.state.labels.remove(content_id, name)
    return Response(status=204)


def routes() -> list[Route]:
    base = "/content/<content_id>/label"
    table: list[tuple[str, str, Handler, bool]] = [
        (base, "GET", get_labels, True),
        (base, "POST", add_labels, False),
        (base, "DELETE", remove_label_query, False),
        (f"{base}/<name>", "DELETE", remove_label, False),
    ]
    return route_table(table)
