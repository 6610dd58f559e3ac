"""``POST /content/{id}/copy`` and ``GET /user/current``: what people do in the wiki that the
tool must see through, and who the tool itself is.

Copy follows "Copy single page" of the Confluence Cloud REST v1 API (vendored in
``tests/fixtures/specs/confluence-cloud-v1-current.json``, schema ``CopyPageRequest``): the
copy is new content at version 1, written by whoever copies, and it takes the source's labels,
content properties and attachments only when ``copyLabels``, ``copyProperties`` and
``copyAttachments`` ask for it (the editor's *Copy* asks for all three). That is how a copy
comes to carry another page's stamp. ``/user/current`` is "Get current user" of the same API:
the account the credentials belong to, shaped as a version's ``by`` is.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.expansion import Expansion
from confluence_sync.localwiki.api.handler_context import (
    Ctx,
    Handler,
    Route,
    json_response,
    read_json,
    route_table,
)
from confluence_sync.localwiki.api_error import bad_request
from confluence_sync.localwiki.store.attachment_rules import Upload
from confluence_sync.localwiki.store.database import ContentRow
from confluence_sync.localwiki.store.page_rules import PageDraft

_DESTINATIONS = ("parent_page", "space")


def current_user(ctx: Ctx, request: Request) -> Response:
    return json_response(ctx.shaper.user(ctx.user))


def copy_page(ctx: Ctx, request: Request, content_id: str) -> Response:
    data = read_json(request)
    if not isinstance(data, dict) or not isinstance(data.get("destination"), dict):
        raise bad_request("destination is required")
    state = ctx.state
    with state.store.transaction():
        source = state.pages.get(content_id)
        draft = _draft(source, data)
        row = state.pages.create(draft, ctx.user)
        _copy_extras(ctx, source, row, data)
    expand = Expansion(None).with_defaults("space", "history", "version")
    return json_response(ctx.shaper.content(row, expand, top=True))


def _draft(source: ContentRow, data: dict[str, Any]) -> PageDraft:
    destination = data["destination"]
    kind, value = destination.get("type"), str(destination.get("value") or "")
    if kind not in _DESTINATIONS or not value:
        raise bad_request(f"destination type must be one of {', '.join(_DESTINATIONS)}")
    body = ((data.get("body") or {}).get("storage") or {}).get("value")
    return PageDraft(
        title=str(data.get("pageTitle") or f"Copy of {source.title}"),
        body=source.body if body is None else str(body),
        space_key=value if kind == "space" else source.space_key,
        parent_id=value if kind == "parent_page" else None,
    )


def _copy_extras(ctx: Ctx, source: ContentRow, copy: ContentRow, data: dict[str, Any]) -> None:
    """Labels, properties and attachments, each when its flag asks (all default false)."""
    state = ctx.state
    if data.get("copyLabels"):
        labels = state.store.labels(source.id)
        state.labels.add(copy.id, [{"prefix": r.prefix, "name": r.name} for r in labels])
    if data.get("copyProperties"):
        for prop in state.store.properties(source.id):
            state.properties.create(copy.id, prop.key, prop.value, ctx.user)
    if data.get("copyAttachments"):
        for att in state.attachments.of_page(source.id):
            upload = Upload(att.title, att.media_type or "", att.data or b"", att.comment or "")
            state.attachments.add(copy.id, upload, ctx.user)


def routes() -> list[Route]:
    table: list[tuple[str, str, Handler, bool]] = [
        ("/user/current", "GET", current_user, False),
        ("/content/<content_id>/copy", "POST", copy_page, False),
    ]
    return route_table(table)
