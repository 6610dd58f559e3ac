"""Handlers for space content templates: create, update, read, list, remove.

Shapes follow the vendored ``ContentTemplate`` schema and Atlassian's REST v1 "Template" reference
(https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-template/): a read by id
includes the body; the space listing ``GET /template/page?spaceKey=`` includes it only with
``expand=body`` (or ``body.storage``), and is paged with ``start`` and ``limit``.
"""

from __future__ import annotations

from typing import Any

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
from confluence_sync.localwiki.api_error import bad_request
from confluence_sync.localwiki.store.template_rules import TemplateRow, Templates


def template_json(ctx: Ctx, row: TemplateRow, *, with_body: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "templateId": row.id,
        "name": row.name,
        "description": row.description,
        "templateType": "page",
        "editorVersion": "v2",
        "space": {"key": row.space_key},
        "labels": [{"prefix": "global", "name": n, "id": n, "label": n} for n in row.labels],
        "_links": {"self": f"{ctx.api}/template/{row.id}"},
    }
    if with_body:
        data["body"] = {"storage": {"value": row.body, "representation": "storage"}}
    else:
        data["_expandable"] = {"body": ""}
    return data


def _body_body(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    return data


def create_template(ctx: Ctx, request: Request) -> Response:
    row = Templates(ctx.state.store).create(_body_body(read_json(request)))
    return json_response(template_json(ctx, row, with_body=True))


def update_template(ctx: Ctx, request: Request) -> Response:
    row = Templates(ctx.state.store).update(_body_body(read_json(request)))
    return json_response(template_json(ctx, row, with_body=True))


def get_template(ctx: Ctx, request: Request, template_id: str) -> Response:
    row = Templates(ctx.state.store).get(template_id)
    return json_response(template_json(ctx, row, with_body=True))


def delete_template(ctx: Ctx, request: Request, template_id: str) -> Response:
    Templates(ctx.state.store).delete(template_id)
    return Response(status=204)


def list_templates(ctx: Ctx, request: Request) -> Response:
    key = request.args.get("spaceKey")
    if not key:
        # Global templates are not modelled: every template here belongs to a space.
        return json_response({"results": [], "start": 0, "limit": 25, "size": 0, "_links": {}})
    start, limit = page_params(request, 25, 200)
    expand = {part.strip() for part in request.args.get("expand", "").split(",")}
    with_body = bool(expand & {"body", "body.storage"})
    rows = Templates(ctx.state.store).in_space(key)
    window = rows[start : start + limit]
    links: dict[str, str] = {"self": f"{ctx.api}/template/page"}
    if start + limit < len(rows):
        links["next"] = f"{ctx.api}/template/page?{next_query(request, start, limit)}"
    return json_response(
        {
            "results": [template_json(ctx, row, with_body=with_body) for row in window],
            "start": start,
            "limit": limit,
            "size": len(window),
            "_links": links,
        }
    )


def routes() -> list[Route]:
    table: list[tuple[str, str, Handler, bool]] = [
        ("/template", "POST", create_template, False),
        ("/template", "PUT", update_template, False),
        ("/template/page", "GET", list_templates, False),
        ("/template/<template_id>", "GET", get_template, False),
        ("/template/<template_id>", "DELETE", delete_template, False),
    ]
    return route_table(table)
