"""Handlers for the content properties of a page (where confluence-sync keeps its stamp)."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.handler_context import (
    Ctx,
    Handler,
    Route,
    json_response,
    next_query,
    page_params,
    read_json,
    route_table,
)
from confluence_sync.localwiki.api_error import ApiError, bad_request


def list_properties(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    start, limit = page_params(request, 10, 200)
    rows = ctx.state.store.properties(content_id)
    path = f"{ctx.api}/content/{content_id}/property"
    results = [ctx.shaper.property(r) for r in rows[start : start + limit]]
    return json_response(
        ctx.shaper.array(results, start, limit, path, len(rows), next_query(request, start, limit))
    )


def create_property(ctx: Ctx, request: Request, content_id: str) -> Response:
    data = read_json(request)
    if not isinstance(data, dict) or "key" not in data:
        raise bad_request("A content property needs a key and a value.")
    row = ctx.state.properties.create(content_id, str(data["key"]), data.get("value"), ctx.user)
    return json_response(ctx.shaper.property(row))


def get_property(ctx: Ctx, request: Request, content_id: str, key: str) -> Response:
    ctx.state.pages.get(content_id)
    row = ctx.state.store.property(content_id, key)
    if row is None:
        raise ApiError(
            404, f"Cannot find content property with key '{key}' on content {content_id}"
        )
    return json_response(ctx.shaper.property(row))


def update_property(ctx: Ctx, request: Request, content_id: str, key: str) -> Response:
    data = read_json(request)
    if not isinstance(data, dict):
        raise bad_request("A content property update needs a value and a version.")
    version = data.get("version") if isinstance(data.get("version"), dict) else {}
    number = version.get("number") if version else None
    row = ctx.state.properties.update(
        content_id, key, data.get("value"), int(number) if number is not None else None, ctx.user
    )
    return json_response(ctx.shaper.property(row))


def delete_property(ctx: Ctx, request: Request, content_id: str, key: str) -> Response:
    ctx.state.properties.delete(content_id, key)
    return Response(status=204)


def routes() -> list[Route]:
    base = "/content/<content_id>/property"
    table: list[tuple[str, str, Handler, bool]] = [
        (base, "GET", list_properties, True),
        (base, "POST", create_property, True),
        (f"{base}/<key>", "GET", get_property, True),
        (f"{base}/<key>", "PUT", update_property, True),
        (f"{base}/<key>", "DELETE", delete_property, True),
    ]
    return route_table(table)
