"""Handlers for the attachments of a page: list, upload, replace, download."""

from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.expansion import Expansion
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
from confluence_sync.localwiki.store.attachment_rules import PropertiesChange, Upload
from confluence_sync.localwiki.store.database import ContentRow

_XSRF_OK = {"no-check", "nocheck"}


def list_attachments(ctx: Ctx, request: Request, content_id: str) -> Response:
    start, limit = page_params(request, 50, 200)
    rows = [
        r
        for r in ctx.state.attachments.of_page(content_id)
        if request.args.get("filename") in (None, r.title)
        and request.args.get("mediaType") in (None, r.media_type)
    ]
    expand = Expansion(request.args.get("expand"))
    path = f"{ctx.api}/content/{content_id}/child/attachment"
    results = [_attachment(ctx, r, expand) for r in rows[start : start + limit]]
    return json_response(
        ctx.shaper.array(results, start, limit, path, len(rows), next_query(request, start, limit))
    )


def _attachment(ctx: Ctx, row: ContentRow, expand: Expansion) -> dict[str, Any]:
    shape = ctx.shaper.content(row, expand)
    shape.setdefault("metadata", {}).update(mediaType=row.media_type, comment=row.comment or "")
    shape["_expandable"].pop("metadata", None)
    return shape


def _uploads(request: Request) -> list[Upload]:
    """The files of a multipart request, refusing requests without Confluence's XSRF header."""
    if request.headers.get("X-Atlassian-Token", "").lower() not in _XSRF_OK:
        raise ApiError(403, "XSRF check failed")
    files = request.files.getlist("file")
    if not files:
        raise bad_request("At least one file must be uploaded in the 'file' field.")
    comments = request.form.getlist("comment")
    minor = request.form.get("minorEdit", "true").strip().strip('"').lower() != "false"
    uploads = []
    for index, item in enumerate(files):
        name = item.filename or ""
        if not name:
            raise bad_request("Every uploaded file needs a file name.")
        uploads.append(
            Upload(
                filename=name,
                media_type=item.mimetype or "application/octet-stream",
                data=item.read(),
                comment=comments[index] if index < len(comments) else "",
                minor_edit=minor,
            )
        )
    return uploads


def create_attachments(ctx: Ctx, request: Request, content_id: str) -> Response:
    uploads = _uploads(request)
    with ctx.state.store.transaction():
        rows = [ctx.state.attachments.add(content_id, u, ctx.user) for u in uploads]
    return _attachment_array(ctx, content_id, rows)


def _attachment_array(ctx: Ctx, content_id: str, rows: list[ContentRow]) -> Response:
    expand = Expansion("version,container")
    results = [_attachment(ctx, r, expand) for r in rows]
    path = f"{ctx.api}/content/{content_id}/child/attachment"
    return json_response(ctx.shaper.array(results, 0, len(results), path, len(results)))


def upsert_attachments(ctx: Ctx, request: Request, content_id: str) -> Response:
    if not ctx.state.cloud:
        raise ApiError(405, "Method Not Allowed")
    uploads = _uploads(request)
    with ctx.state.store.transaction():
        rows = [ctx.state.attachments.upsert(content_id, u, ctx.user) for u in uploads]
    return _attachment_array(ctx, content_id, rows)


def replace_data(ctx: Ctx, request: Request, content_id: str, att_id: str) -> Response:
    uploads = _uploads(request)
    row = ctx.state.attachments.replace(content_id, att_id, uploads[0], ctx.user)
    expand = Expansion("version,container")
    return json_response(_attachment(ctx, row, expand))


def update_properties(ctx: Ctx, request: Request, content_id: str, att_id: str) -> Response:
    """``PUT .../child/attachment/{attachmentId}``: the non-binary data of an attachment."""
    data = read_json(request)
    if not isinstance(data, dict):
        raise bad_request("The body must be the attachment's Content as JSON.")
    version = data.get("version") if isinstance(data.get("version"), dict) else {}
    number = version.get("number") if version else None
    if not isinstance(number, int):
        raise bad_request("Must supply an incremented version when updating an attachment.")
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    comment = metadata.get("comment") if metadata else None
    change = PropertiesChange(
        version=number,
        title=str(data.get("title") or ""),
        media_type=str((metadata or {}).get("mediaType") or ""),
        comment=comment if isinstance(comment, str) else None,
    )
    row = ctx.state.attachments.update_properties(content_id, att_id, change, ctx.user)
    return json_response(_attachment(ctx, row, Expansion("version,container")))


def download(ctx: Ctx, request: Request, content_id: str, att_id: str) -> Response:
    row = ctx.state.attachments.find(content_id, att_id)
    return redirect(ctx.shaper.site.base + ctx.shaper.download_path(row), code=302)


def routes() -> list[Route]:
    base = "/content/<content_id>/child/attachment"
    table: list[tuple[str, str, Handler, bool]] = [
        (base, "GET", list_attachments, True),
        (base, "POST", create_attachments, False),
        (base, "PUT", upsert_attachments, False),
        (f"{base}/<att_id>", "PUT", update_properties, False),
        (f"{base}/<att_id>/data", "POST", replace_data, False),
        (f"{base}/<att_id>/download", "GET", download, False),
    ]
    return route_table(table)
