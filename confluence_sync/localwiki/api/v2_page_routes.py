"""v2 page handlers: ``/pages`` and what hangs directly off a page (children, ancestors,
labels, attachments). Request bodies follow ``PageCreateRequest`` and ``PageUpdateRequest``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.handler_context import Handler, json_response, read_json
from confluence_sync.localwiki.api.v2_json import ShaperV2, V2Error, Window
from confluence_sync.localwiki.store.database import ContentRow
from confluence_sync.localwiki.store.page_rules import PageDraft

if TYPE_CHECKING:
    from confluence_sync.localwiki.wiki_state import WikiState

_FORMATS = ("storage", "none")


@dataclass(frozen=True)
class V2Ctx:
    """What a v2 handler gets: the shared state, the authenticated user and the v2 shaper."""

    state: WikiState
    user: str
    shape: ShaperV2

    def page(self, page_id: str, *, allow_trashed: bool = False) -> ContentRow:
        if not page_id.isdigit():
            raise V2Error(400, f"Invalid page id: {page_id}")
        row = self.state.store.content(page_id)
        if row is None or row.type != "page" or (row.status == "trashed" and not allow_trashed):
            raise V2Error(404, "Not Found", f"No page with id {page_id}")
        return row

    def listing(
        self, request: Request, window: Window, shaped: Sequence[dict[str, Any]], path: str
    ) -> Response:
        body, headers = self.shape.collection(request, window, shaped, path)
        return json_response(body, headers=headers)

    def space_key(self, space_id: Any) -> str:
        for space in self.state.store.spaces():
            if str(space.id) == str(space_id):
                return space.key
        raise V2Error(400, f"No space with id {space_id}")


def _with_body(request: Request) -> bool:
    fmt = request.args.get("body-format", "none")
    if fmt not in _FORMATS:
        raise V2Error(400, f"Unsupported body-format: {fmt} (this wiki keeps storage only)")
    return fmt == "storage"


def _flag(request: Request, name: str, default: bool = False) -> bool:
    return request.args.get(name, str(default)).lower() == "true"


def list_pages(ctx: V2Ctx, request: Request) -> Response:
    window = Window.of(request)
    args = request.args
    wanted = {s for raw in args.getlist("space-id") for s in raw.split(",") if s}
    # an unknown space id matches nothing, as any filter would, rather than failing
    spaces = {r.key for r in ctx.state.store.spaces() if str(r.id) in wanted} if wanted else None
    ids = {i for raw in args.getlist("id") for i in raw.split(",") if i}
    statuses = {s for raw in args.getlist("status") for s in raw.split(",") if s} or {"current"}
    rows = [
        r
        for r in ctx.state.store.all_content("page")
        if r.status in statuses
        and (spaces is None or r.space_key in spaces)
        and (not ids or r.id in ids)
        and ("title" not in args or r.title == args["title"])
    ]
    rows = ctx.state.restrictions.visible(rows, ctx.user)  # hidden pages are not listed
    body = _with_body(request)
    shaped = [ctx.shape.page(r, body=body, single=False) for r in rows]
    return ctx.listing(request, window, shaped, "/pages")


def get_page(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    statuses = {s for raw in request.args.getlist("status") for s in raw.split(",")}
    row = ctx.page(page_id, allow_trashed="trashed" in statuses)
    version = request.args.get("version")
    if version is not None:
        if not version.isdigit():
            raise V2Error(400, f"Invalid version: {version}")
        row = ctx.state.pages.at_version(row, int(version))
    shape = ctx.shape.page(row, body=_with_body(request))
    store = ctx.state.store
    if _flag(request, "include-labels"):
        labels = [ctx.shape.label(r) for r in store.labels(row.id)]
        shape["labels"] = ctx.shape.included(labels, f"/pages/{row.id}/labels")
    if _flag(request, "include-properties"):
        props = [ctx.shape.property(r) for r in store.properties(row.id)]
        shape["properties"] = ctx.shape.included(props, f"/pages/{row.id}/properties")
    if not _flag(request, "include-version", True):
        del shape["version"]
    return json_response(shape)


def _storage(data: dict[str, Any], *, required: bool) -> str | None:
    """The storage value of a flat (``{representation, value}``) or nested body."""
    body = data.get("body")
    if body is None and not required:
        return None
    if not isinstance(body, dict):
        raise V2Error(400, "body is required and must be an object")
    inner = body.get("storage", body)
    if not isinstance(inner, dict) or inner.get("representation", "storage") != "storage":
        raise V2Error(400, "Only the storage representation is supported by this wiki.")
    value = inner.get("value")
    if not isinstance(value, str):
        raise V2Error(400, "body.value must be a string")
    return value


def _status(data: dict[str, Any]) -> None:
    if data.get("status", "current") != "current":
        raise V2Error(400, f"Unsupported status: {data.get('status')} (drafts are not kept)")


def create_page(ctx: V2Ctx, request: Request) -> Response:
    data = read_json(request)
    if not isinstance(data, dict) or "spaceId" not in data:
        raise V2Error(400, "spaceId is required")
    _status(data)
    key = ctx.space_key(data["spaceId"])
    parent = data.get("parentId")
    if _flag(request, "root-level") and parent:
        raise V2Error(400, "parentId may not be given with root-level=true")
    if not parent and not _flag(request, "root-level"):
        space = ctx.state.store.space(key)
        parent = space.homepage_id if space else None
    draft = PageDraft(
        title=data.get("title"),
        body=_storage(data, required=False) or "",
        space_key=key,
        parent_id=str(parent) if parent else None,
    )
    row = ctx.state.pages.create(draft, ctx.user)
    return json_response(ctx.shape.page(row, body=True))


def update_page(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    data = read_json(request)
    if not isinstance(data, dict):
        raise V2Error(400, "The request body must be a JSON object.")
    missing = [f for f in ("id", "status", "title", "body", "version") if f not in data]
    if missing:
        raise V2Error(400, f"Missing required fields: {', '.join(missing)}")
    if str(data["id"]) != page_id:
        raise V2Error(400, "The id in the body does not match the id in the path.")
    _status(data)
    row = ctx.page(page_id, allow_trashed=True)
    version = data["version"] if isinstance(data["version"], dict) else {}
    number = version.get("number")
    parent = data.get("parentId")
    space_id = data.get("spaceId")
    draft = PageDraft(
        title=data.get("title"),
        body=_storage(data, required=True),
        space_key=ctx.space_key(space_id) if space_id else None,
        parent_id=str(parent) if parent else None,
        version=number if isinstance(number, int) else None,
        message=str(version.get("message") or ""),
        status="current",
    )
    saved = ctx.state.pages.update(row.id, draft, ctx.user)
    return json_response(ctx.shape.page(saved, body=True))


def delete_page(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    purge = _flag(request, "purge")
    ctx.page(page_id, allow_trashed=purge)
    ctx.state.pages.delete(page_id, "trashed" if purge else None)
    return Response(status=204)


def direct_children(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    window = Window.of(request)
    ctx.page(page_id)
    children = ctx.state.restrictions.visible(ctx.state.store.children(page_id, "page"), ctx.user)
    shaped = [ctx.shape.child(r) for r in children]
    return ctx.listing(request, window, shaped, f"/pages/{page_id}/direct-children")


def ancestors(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    """Top to bottom; with more than ``limit`` ancestors, the ``limit`` nearest ones (the
    caller continues from the first one returned)."""
    limit = Window.of(request).limit
    chain: list[dict[str, Any]] = []
    row: ContentRow | None = ctx.page(page_id)
    while row is not None and row.parent_id:
        row = ctx.state.store.content(row.parent_id)
        if row is not None:
            chain.insert(0, {"id": row.id, "type": "page"})
    body = {"results": chain[-limit:], "_links": {"base": ctx.shape.site.base}}
    return json_response(body)


def page_labels(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    window = Window.of(request)
    ctx.page(page_id)
    prefix = request.args.get("prefix")
    rows = [r for r in ctx.state.store.labels(page_id) if prefix in (None, r.prefix)]
    shaped = [ctx.shape.label(r) for r in rows]
    return ctx.listing(request, window, shaped, f"/pages/{page_id}/labels")


def page_attachments(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    window = Window.of(request, default=50)
    ctx.page(page_id)
    wanted = request.args.get("filename")
    rows = [r for r in ctx.state.store.children(page_id, "attachment") if wanted in (None, r.title)]
    shaped = [ctx.shape.attachment(r) for r in rows]
    return ctx.listing(request, window, shaped, f"/pages/{page_id}/attachments")


def page_routes() -> list[tuple[str, str, Handler]]:
    return [
        ("/pages", "GET", list_pages),
        ("/pages", "POST", create_page),
        ("/pages/<page_id>", "GET", get_page),
        ("/pages/<page_id>", "PUT", update_page),
        ("/pages/<page_id>", "DELETE", delete_page),
        ("/pages/<page_id>/direct-children", "GET", direct_children),
        ("/pages/<page_id>/ancestors", "GET", ancestors),
        ("/pages/<page_id>/labels", "GET", page_labels),
        ("/pages/<page_id>/attachments", "GET", page_attachments),
    ]
