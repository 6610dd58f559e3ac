"""Handlers for a page's restrictions: read all, by operation, add (POST), replace (PUT), remove.

Paths and shapes from Atlassian's REST v1 "Content restrictions" reference
(https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-restrictions/,
vendored ``ContentRestrictionArray`` / ``ContentRestriction`` schemas). The app has already
refused a caller who may not view (404) or edit (403) the page; the rules are in
``store/restriction_rules.py``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.handler_context import (
    Ctx,
    Handler,
    Route,
    json_response,
    read_json,
    route_table,
)
from confluence_sync.localwiki.api_error import ApiError, bad_request
from confluence_sync.localwiki.store.restriction_rules import OPERATIONS, Restriction


def _restriction_json(ctx: Ctx, content_id: str, item: Restriction) -> dict[str, Any]:
    users = [ctx.shaper.user(name) for name in sorted(item.users)]
    groups = [{"type": "group", "name": g, "id": g} for g in sorted(item.groups)]
    return {
        "operation": item.operation,
        "restrictions": {
            "user": {"results": users, "start": 0, "limit": 200, "size": len(users)},
            "group": {"results": groups, "start": 0, "limit": 200, "size": len(groups)},
        },
        "_expandable": {"content": f"{ctx.api}/content/{content_id}"},
        "_links": {
            "self": f"{ctx.api}/content/{content_id}/restriction/byOperation/{item.operation}"
        },
    }


def _array(ctx: Ctx, content_id: str) -> dict[str, Any]:
    found = ctx.state.restrictions.of(content_id)
    results = [_restriction_json(ctx, content_id, found[op]) for op in OPERATIONS]
    return {
        "results": results,
        "start": 0,
        "limit": 100,
        "size": len(results),
        "restrictionsHash": hashlib.sha1(json.dumps(results, sort_keys=True).encode()).hexdigest(),
        "_links": {"self": f"{ctx.api}/content/{content_id}/restriction"},
    }


def _entries(request: Request) -> list[Any]:
    data = read_json(request)
    items = data.get("results") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise bad_request("Expected an array of restrictions.")
    return items


def get_restrictions(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    return json_response(_array(ctx, content_id))


def add_restrictions(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    ctx.state.restrictions.add(content_id, _entries(request), replace=False)
    return json_response(_array(ctx, content_id))


def replace_restrictions(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    ctx.state.restrictions.add(content_id, _entries(request), replace=True)
    return json_response(_array(ctx, content_id))


def delete_restrictions(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    ctx.state.restrictions.remove_all(content_id)
    return json_response(_array(ctx, content_id))


def by_operation(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    found = ctx.state.restrictions.of(content_id)
    return json_response({op: _restriction_json(ctx, content_id, found[op]) for op in OPERATIONS})


def for_operation(ctx: Ctx, request: Request, content_id: str, operation: str) -> Response:
    ctx.state.pages.get(content_id)
    if operation not in OPERATIONS:
        raise ApiError(400, f"Unsupported restriction operation: {operation}")
    found = ctx.state.restrictions.of(content_id)[operation]
    return json_response(_restriction_json(ctx, content_id, found))


def routes() -> list[Route]:
    base = "/content/<content_id>/restriction"
    table: list[tuple[str, str, Handler, bool]] = [
        (base, "GET", get_restrictions, False),
        (base, "POST", add_restrictions, False),
        (base, "PUT", replace_restrictions, False),
        (base, "DELETE", delete_restrictions, False),
        (f"{base}/byOperation", "GET", by_operation, False),
        (f"{base}/byOperation/<operation>", "GET", for_operation, False),
    ]
    return route_table(table)
