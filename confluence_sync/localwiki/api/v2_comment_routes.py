"""REST v2 inline comments (``/wiki/api/v2``), as in ``confluence-cloud-v2-current.json``:
``GET /pages/{id}/inline-comments`` (``getPageInlineComments``, ``PageInlineCommentModel``,
filter ``resolution-status``), ``GET /inline-comments`` (``getInlineComments``),
``POST /inline-comments`` (``createInlineComment``, ``CreateInlineCommentModel``) and
``GET /inline-comments/{comment-id}`` (``getInlineCommentById``). The rules, marker placement
included, are in ``store/comment_rules.py``."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.handler_context import Handler, json_response, read_json
from confluence_sync.localwiki.api.v2_json import V2Error, Window
from confluence_sync.localwiki.api.v2_page_routes import V2Ctx
from confluence_sync.localwiki.store.comment_rules import InlineComment, InlineComments, Selection
from confluence_sync.localwiki.wiki_urls import webui_path


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _comments(ctx: V2Ctx) -> InlineComments:
    return InlineComments(ctx.state.store, ctx.state.pages)


def _shape(ctx: V2Ctx, comment: InlineComment, request: Request) -> dict[str, Any]:
    """``PageInlineCommentModel`` (the page's listing) / ``InlineCommentModel`` (by id)."""
    row = comment.row
    storage = {"storage": {"representation": "storage", "value": row.body}}
    return {
        "id": row.id,
        "status": row.status,
        "title": row.title,
        "pageId": comment.page_id,
        "version": ctx.shape.version(row),
        "body": storage if request.args.get("body-format") == "storage" else {},
        "resolutionStatus": comment.resolution,
        "properties": {
            "inlineMarkerRef": comment.marker_ref,
            "inlineOriginalSelection": comment.selection,
        },
        "_links": {"webui": webui_path(row.space_key, comment.page_id, row.title)},
    }


def page_comments(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    ctx.page(page_id)
    wanted = {s for raw in request.args.getlist("resolution-status") for s in raw.split(",") if s}
    found = [c for c in _comments(ctx).of_page(page_id) if not wanted or c.resolution in wanted]
    shaped = [_shape(ctx, c, request) for c in found]
    return ctx.listing(request, Window.of(request), shaped, f"/pages/{page_id}/inline-comments")


def all_comments(ctx: V2Ctx, request: Request) -> Response:
    shaped = [_shape(ctx, c, request) for c in _comments(ctx).all()]
    return ctx.listing(request, Window.of(request), shaped, "/inline-comments")


def get_comment(ctx: V2Ctx, request: Request, comment_id: str) -> Response:
    found = _comments(ctx).get(comment_id)
    if found is None:
        raise V2Error(404, "Not Found", f"No inline comment with id {comment_id}")
    return json_response(_shape(ctx, found, request))


def create_comment(ctx: V2Ctx, request: Request) -> Response:
    data = read_json(request)
    if not isinstance(data, dict) or not isinstance(data.get("pageId"), str):
        raise V2Error(400, "An inline comment needs a pageId (replies are not supported here).")
    props = data.get("inlineCommentProperties")
    if not isinstance(props, dict) or not isinstance(props.get("textSelection"), str):
        raise V2Error(400, "inlineCommentProperties.textSelection is required.")
    body = _obj(data.get("body"))
    value = body.get("value") if body.get("representation", "storage") == "storage" else None
    if not isinstance(value, str):
        raise V2Error(400, "The comment body must be storage: {representation, value}.")
    selection = Selection(
        props["textSelection"],
        int(props.get("textSelectionMatchIndex") or 0),
        props.get("textSelectionMatchCount"),
    )
    created = _comments(ctx).create(ctx.page(data["pageId"]).id, value, selection, ctx.user)
    return json_response(_shape(ctx, created, request))


def comment_routes() -> list[tuple[str, str, Handler]]:
    return [
        ("/pages/<page_id>/inline-comments", "GET", page_comments),
        ("/inline-comments", "GET", all_comments),
        ("/inline-comments", "POST", create_comment),
        ("/inline-comments/<comment_id>", "GET", get_comment),
    ]
