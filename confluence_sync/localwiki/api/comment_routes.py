"""REST v1 inline comments: ``GET /content/{id}/child/comment`` (``getContentComments`` in
``confluence-cloud-v1-2021.json``, ``location`` = inline | footer | resolved, expansions
``extensions.inlineProperties`` and ``extensions.resolution``), and creating one with
``POST /content`` of ``type: comment`` whose ``container`` is the page and whose
``extensions`` say ``location: inline`` with ``inlineProperties`` (``originalSelection``,
``markerRef``, ``matchIndex``, ``numMatches``). The rules are in ``store/comment_rules.py``."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.expansion import Expansion
from confluence_sync.localwiki.api.handler_context import (
    Ctx,
    Handler,
    Route,
    json_response,
    next_query,
    page_params,
    route_table,
)
from confluence_sync.localwiki.api_error import bad_request
from confluence_sync.localwiki.store.comment_rules import InlineComment, InlineComments, Selection


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _comments(ctx: Ctx) -> InlineComments:
    return InlineComments(ctx.state.store, ctx.state.pages)


def _shape(ctx: Ctx, comment: InlineComment, expand: Expansion) -> dict[str, Any]:
    shape = ctx.shaper.content(comment.row, expand)
    extensions: dict[str, Any] = {"location": "inline"}
    wanted = set(expand.sub("extensions"))
    if "inlineProperties" in wanted:
        extensions["inlineProperties"] = {
            "markerRef": comment.marker_ref,
            "originalSelection": comment.selection,
        }
    if "resolution" in wanted:
        status = "open" if comment.resolution == "reopened" else comment.resolution
        extensions["resolution"] = {"status": status}
    missing = {"inlineProperties", "resolution"} - wanted
    if missing:
        extensions["_expandable"] = {key: "" for key in sorted(missing)}
    shape["extensions"] = extensions
    return shape


def child_comments(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    locations = set(request.args.getlist("location")) or {"inline", "footer", "resolved"}
    start, limit = page_params(request, 25, 200)
    found = [
        c
        for c in _comments(ctx).of_page(content_id)
        if "inline" in locations or ("resolved" in locations and c.resolution == "resolved")
    ]
    expand = Expansion(request.args.get("expand"))
    results = [_shape(ctx, c, expand) for c in found[start : start + limit]]
    path = f"{ctx.api}/content/{content_id}/child/comment"
    body = ctx.shaper.array(
        results, start, limit, path, len(found), next_query(request, start, limit)
    )
    return json_response(body)


def create_comment(ctx: Ctx, data: dict[str, Any]) -> Response:
    """``POST /content`` with ``type: comment``: an inline comment on the container page."""
    container, extensions = _obj(data.get("container")), _obj(data.get("extensions"))
    inline = extensions.get("inlineProperties")
    if extensions.get("location") != "inline" or not isinstance(inline, dict):
        raise bad_request("Only inline comments (extensions.location = inline) are supported.")
    if not isinstance(inline.get("originalSelection"), str):
        raise bad_request("extensions.inlineProperties.originalSelection is required.")
    storage = _obj(data.get("body")).get("storage")
    if not isinstance(storage, dict) or not isinstance(storage.get("value"), str):
        raise bad_request("A comment needs body.storage.value.")
    selection = Selection(
        inline["originalSelection"],
        int(inline.get("matchIndex") or 0),
        inline.get("numMatches"),
        inline.get("markerRef") if isinstance(inline.get("markerRef"), str) else None,
    )
    page_id = str(container.get("id", ""))
    if not page_id:
        raise bad_request("A comment needs container.id, the page it is on.")
    created = _comments(ctx).create(page_id, storage["value"], selection, ctx.user)
    expand = Expansion("extensions.inlineProperties,extensions.resolution,body.storage")
    return json_response(_shape(ctx, created, expand.with_defaults("version")))


def routes() -> list[Route]:
    table: list[tuple[str, str, Handler, bool]] = [
        ("/content/<content_id>/child/comment", "GET", child_comments, True),
    ]
    return route_table(table)
