"""Handlers for the ``/content`` family: list, get, create, update, delete, history, children,
move, and spaces."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.comment_routes import create_comment
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
from confluence_sync.localwiki.api_error import ApiError, bad_request, not_found_content
from confluence_sync.localwiki.store.database import ContentRow
from confluence_sync.localwiki.store.page_rules import PageDraft

_SINGLE_DEFAULTS = ("space", "history", "version")


def list_content(ctx: Ctx, request: Request) -> Response:
    start, limit = page_params(request, 25, 200)
    args = request.args
    content_type = args.get("type", "page")
    status = args.get("status", "current")
    rows = [
        r
        for r in ctx.state.store.all_content(content_type)
        if (status == "any" or r.status == status)
        and ("spaceKey" not in args or r.space_key == args["spaceKey"])
        and ("title" not in args or r.title == args["title"])
    ]
    return json_response(_array(ctx, request, rows, start, limit, f"{ctx.api}/content"))


def _array(
    ctx: Ctx, request: Request, rows: list[ContentRow], start: int, limit: int, path: str
) -> dict[str, Any]:
    expand = Expansion(request.args.get("expand"))
    page = rows[start : start + limit]
    return ctx.shaper.array(
        [ctx.shaper.content(r, expand) for r in page],
        start,
        limit,
        path,
        len(rows),
        next_query(request, start, limit),
    )


def get_content(ctx: Ctx, request: Request, content_id: str) -> Response:
    status = request.args.get("status", "current")
    row = ctx.state.pages.get(content_id, allow_trashed=status in ("trashed", "any"))
    if status == "trashed" and row.status != "trashed":
        raise not_found_content(content_id)
    version = request.args.get("version")
    if version is not None:
        if not version.isdigit():
            raise bad_request(f"Invalid version: {version}")
        row = ctx.state.pages.at_version(row, int(version))
    expand = Expansion(request.args.get("expand")).with_defaults(*_SINGLE_DEFAULTS)
    return json_response(ctx.shaper.content(row, expand, top=True))


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object field, or an empty one when the client sent something else."""
    return value if isinstance(value, dict) else {}


def _draft(data: Any, *, creating: bool) -> PageDraft:
    """Pull the fields Confluence reads out of a create/update body, refusing wrong shapes."""
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    body = _obj(data.get("body"))
    storage = body.get("storage")
    if body and not isinstance(storage, dict):
        raise bad_request("Only the storage representation is supported by this wiki.")
    if storage is not None and storage.get("representation", "storage") != "storage":
        raise bad_request(f"Unsupported representation: {storage.get('representation')}")
    ancestors = _ancestors(data.get("ancestors"))
    version, metadata = _obj(data.get("version")), _obj(data.get("metadata"))
    number = str(version.get("number", ""))
    return PageDraft(
        title=data.get("title"),
        body=None if storage is None else str(storage.get("value", "")),
        space_key=_obj(data.get("space")).get("key"),
        content_type=str(data.get("type") or ("page" if creating else "")),
        parent_id=str(ancestors[-1]["id"]) if ancestors else None,
        version=int(number) if number.isdigit() else None,
        message=str(version.get("message") or ""),
        minor_edit=bool(version.get("minorEdit", False)),
        status=data.get("status"),
        labels=_create_labels(metadata.get("labels")),
        properties=_obj(metadata.get("properties")),
    )


def _ancestors(raw: Any) -> list[dict[str, Any]]:
    """The parent named by a write. In the vendored v1 schema (``ContentCreate.ancestors``)
    each ancestor object requires an ``id`` string, so an ancestor without one (``{"id":
    null}``) is a bad request, not a page created at the top of the space."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("ancestors must be a list of objects with an id.")
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)):
            raise bad_request(f"Every ancestor needs an id; got {item!r}.")
    return [a for a in raw if str(a["id"])]


def _create_labels(raw: Any) -> list[str]:
    if isinstance(raw, dict):
        raw = raw.get("results", [])
    return [str(item.get("name")) for item in raw or [] if isinstance(item, dict)]


def create_content(ctx: Ctx, request: Request) -> Response:
    data = read_json(request)
    if isinstance(data, dict) and data.get("type") == "comment":
        return create_comment(ctx, data)
    draft = _draft(data, creating=True)
    if draft.content_type not in ("page", "blogpost"):
        raise bad_request(f"Unsupported content type: {draft.content_type}")
    state = ctx.state
    with state.store.transaction():
        row = state.pages.create(draft, ctx.user)
        state.labels.add(row.id, [{"prefix": "global", "name": n} for n in draft.labels])
        for key, prop in draft.properties.items():
            value = prop.get("value") if isinstance(prop, dict) else None
            state.properties.create(row.id, key, value, ctx.user)
    return _written(ctx, row, with_body=draft.body is not None, request=request)


# What a create or update answers without an ``expand``: the "Create a new page as a child of
# another page" answer on Atlassian's "Confluence REST API examples" page carries the page's
# ``ancestors``, ``container``, ``space``, ``history``, ``version`` and ``body.storage`` (clients
# such as markdown-to-confluence read ``ancestors`` straight from it). An ``expand`` on the write
# request adds to these, as the vendored v1 schema's ``expand`` parameter of ``POST /content`` says.
_WRITE_DEFAULTS = (*_SINGLE_DEFAULTS, "ancestors", "container")


def _written(
    ctx: Ctx, row: ContentRow, *, with_body: bool, request: Request | None = None
) -> Response:
    asked = request.args.get("expand") if request is not None else None
    expand = Expansion(asked).with_defaults(*_WRITE_DEFAULTS)
    if with_body:
        expand = expand.with_defaults("body.storage")
    return json_response(ctx.shaper.content(row, expand, top=True))


def update_content(ctx: Ctx, request: Request, content_id: str) -> Response:
    if request.mimetype.startswith("multipart/"):
        raise ApiError(415, "Unsupported Media Type")
    draft = _draft(read_json(request), creating=False)
    if not draft.content_type:
        raise bad_request("Content type is required when updating content.")
    row = ctx.state.pages.update(content_id, draft, ctx.user)
    return _written(ctx, row, with_body=draft.body is not None, request=request)


def delete_content(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.delete(content_id, request.args.get("status"))
    return Response(status=204)


def history(ctx: Ctx, request: Request, content_id: str) -> Response:
    row = ctx.state.pages.get(content_id)
    expand = Expansion(request.args.get("expand")).with_defaults("lastUpdated")
    shape = ctx.shaper.history(row, expand)
    shape["_links"].update(base=ctx.shaper.site.base, context=ctx.shaper.site.context)
    return json_response(shape)


def child_pages(ctx: Ctx, request: Request, content_id: str) -> Response:
    ctx.state.pages.get(content_id)
    start, limit = page_params(request, 25, 200)
    rows = ctx.state.store.children(content_id, "page")
    path = f"{ctx.api}/content/{content_id}/child/page"
    return json_response(_array(ctx, request, rows, start, limit, path))


def move(ctx: Ctx, request: Request, content_id: str, position: str, target_id: str) -> Response:
    row = ctx.state.pages.move(content_id, position, target_id)
    return json_response({"pageId": row.id})


def get_space(ctx: Ctx, request: Request, key: str) -> Response:
    row = ctx.state.store.space(key)
    if row is None:
        raise ApiError(404, f"No space with key : {key}")
    return json_response(ctx.shaper.space(row, Expansion(request.args.get("expand"))))


def list_spaces(ctx: Ctx, request: Request) -> Response:
    start, limit = page_params(request, 25, 500)
    rows = ctx.state.store.spaces()
    expand = Expansion(request.args.get("expand"))
    results = [ctx.shaper.space(r, expand) for r in rows[start : start + limit]]
    path = f"{ctx.api}/space"
    body = ctx.shaper.array(
        results, start, limit, path, len(rows), next_query(request, start, limit)
    )
    return json_response(body)


def routes() -> list[Route]:
    """(rule, handler, deprecated-on-Cloud) for this family."""
    table: list[tuple[str, str, Handler, bool]] = [
        ("/content", "GET", list_content, True),
        ("/content", "POST", create_content, True),
        ("/content/<content_id>", "GET", get_content, True),
        ("/content/<content_id>", "PUT", update_content, True),
        ("/content/<content_id>", "DELETE", delete_content, True),
        ("/content/<content_id>/history", "GET", history, True),
        ("/content/<content_id>/child/page", "GET", child_pages, True),
        ("/content/<content_id>/move/<position>/<target_id>", "PUT", move, False),
        ("/space", "GET", list_spaces, True),
        ("/space/<key>", "GET", get_space, True),
    ]
    return route_table(table)
