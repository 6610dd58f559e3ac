"""Content watches of the calling user: ``/user/watch/content/{contentId}``.

From the "Content watches" group of the vendored v1 schema (Get content watch status, Add
content watcher, Remove content watcher): GET answers ``{"watching": bool}``, POST and DELETE
answer 204 with no body, and the writes refuse a request without ``X-Atlassian-Token:
no-check`` with 403. Publishers (sphinxcontrib-confluencebuilder) unwatch the pages they create
so that their owner is not mailed on every publish; watching here changes nothing else.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.handler_context import (
    Ctx,
    Handler,
    Route,
    json_response,
    route_table,
)
from confluence_sync.localwiki.api_error import ApiError

_XSRF_OK = {"no-check", "nocheck"}


def _content_id(ctx: Ctx, content_id: str) -> str:
    return ctx.state.pages.get(content_id).id


def _checked(request: Request) -> None:
    if request.headers.get("X-Atlassian-Token", "").lower() not in _XSRF_OK:
        raise ApiError(403, "XSRF check failed")


def watch_status(ctx: Ctx, request: Request, content_id: str) -> Response:
    watching = ctx.state.store.watching(_content_id(ctx, content_id), ctx.user)
    return json_response({"watching": watching})


def add_watch(ctx: Ctx, request: Request, content_id: str) -> Response:
    _checked(request)
    ctx.state.store.set_watch(_content_id(ctx, content_id), ctx.user, True)
    return Response(status=204)


def remove_watch(ctx: Ctx, request: Request, content_id: str) -> Response:
    _checked(request)
    ctx.state.store.set_watch(_content_id(ctx, content_id), ctx.user, False)
    return Response(status=204)


def routes() -> list[Route]:
    path = "/user/watch/content/<content_id>"
    table: list[tuple[str, str, Handler, bool]] = [
        (path, "GET", watch_status, False),
        (path, "POST", add_watch, False),
        (path, "DELETE", remove_watch, False),
    ]
    return route_table(table)
