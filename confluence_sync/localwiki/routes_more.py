"""Handlers for labels, content properties and attachments of a page."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.app import Ctx, Handler, json_response, page_params, read_json
from confluence_sync.localwiki.extras import Upload
from confluence_sync.localwiki.httperror import ApiError, bad_request
from confluence_sync.localwiki.routes_content import next_query
from confluence_sync.localwiki.site import Expansion
from confluence_sync.localwiki.store import ContentRow

_XSRF_OK = {"no-check", "nocheck"}


# labels ------------------------------------------------------------------------------------
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
    ctx.state.extras.add_labels(content_id, items)
    rows = ctx.state.store.labels(content_id)
    return json_response(ctx.shaper.labels(rows, 0, 200, f"{ctx.api}/content/{content_id}/label"))


def remove_label_query(ctx: Ctx, request: Request, content_id: str) -> Response:
    name = request.args.get("name")
    if not name:
        raise bad_request("The name of the label to remove is required.")
    ctx.state.extras.remove_label(content_id, name)
    return Response(status=204)


def remove_label(ctx: Ctx, request: Request, content_id: str, name: str) -> Response:
    ctx.state.extras.remove_label(content_id, name)
    return Response(status=204)


# properties ---------------------------------------------------------------------------------
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
    row = ctx.state.extras.create_property(
        content_id, str(data["key"]), data.get("value"), ctx.user
    )
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
    row = ctx.state.extras.update_property(
        content_id, key, data.get("value"), int(number) if number is not None else None, ctx.user
    )
    return json_response(ctx.shaper.property(row))


def delete_property(ctx: Ctx, request: Request, content_id: str, key: str) -> Response:
    ctx.state.extras.delete_property(content_id, key)
    return Response(status=204)


# attachments --------------------------------------------------------------------------------
def list_attachments(ctx: Ctx, request: Request, content_id: str) -> Response:
    start, limit = page_params(request, 50, 200)
    rows = [
        r
        for r in ctx.state.extras.attachments(content_id)
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
            )
        )
    return uploads


def create_attachments(ctx: Ctx, request: Request, content_id: str) -> Response:
    uploads = _uploads(request)
    with ctx.state.store.transaction():
        rows = [ctx.state.extras.add_attachment(content_id, u, ctx.user) for u in uploads]
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
        rows = [ctx.state.extras.upsert_attachment(content_id, u, ctx.user) for u in uploads]
    return _attachment_array(ctx, content_id, rows)


def replace_data(ctx: Ctx, request: Request, content_id: str, att_id: str) -> Response:
    uploads = _uploads(request)
    row = ctx.state.extras.replace_attachment(content_id, att_id, uploads[0], ctx.user)
    expand = Expansion("version,container")
    return json_response(_attachment(ctx, row, expand))


def download(ctx: Ctx, request: Request, content_id: str, att_id: str) -> Response:
    row = ctx.state.extras.find_attachment(content_id, att_id)
    return redirect(ctx.shaper.site.base + ctx.shaper.download_path(row), code=302)


def routes() -> list[tuple[Rule, Handler, bool]]:
    base = "/content/<content_id>"
    table: list[tuple[str, str, Handler, bool]] = [
        (f"{base}/label", "GET", get_labels, True),
        (f"{base}/label", "POST", add_labels, False),
        (f"{base}/label", "DELETE", remove_label_query, False),
        (f"{base}/label/<name>", "DELETE", remove_label, False),
        (f"{base}/property", "GET", list_properties, True),
        (f"{base}/property", "POST", create_property, True),
        (f"{base}/property/<key>", "GET", get_property, True),
        (f"{base}/property/<key>", "PUT", update_property, True),
        (f"{base}/property/<key>", "DELETE", delete_property, True),
        (f"{base}/child/attachment", "GET", list_attachments, True),
        (f"{base}/child/attachment", "POST", create_attachments, False),
        (f"{base}/child/attachment", "PUT", upsert_attachments, False),
        (f"{base}/child/attachment/<att_id>/data", "POST", replace_data, False),
        (f"{base}/child/attachment/<att_id>/download", "GET", download, False),
    ]
    return [
        (Rule(path, methods=[method], endpoint=f"{method} {path}"), handler, old)
        for path, method, handler, old in table
    ]
