"""What every REST handler shares: its context, JSON responses and the paging parameters."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.api.rest_json import Shaper
from confluence_sync.localwiki.api_error import ApiError

if TYPE_CHECKING:
    from confluence_sync.localwiki.wiki_state import WikiState


@dataclass(frozen=True)
class Ctx:
    """What a handler gets: the state, the authenticated user and the JSON builder."""

    state: WikiState
    user: str
    shaper: Shaper

    @property
    def api(self) -> str:
        return "/rest/api"


Handler = Callable[..., Response]
Route = tuple[Rule, Handler, bool]  # the rule, its handler, deprecated on Cloud


def route_table(table: list[tuple[str, str, Handler, bool]]) -> list[Route]:
    """(path, method, handler, deprecated) rows as werkzeug rules named ``METHOD path``."""
    return [
        (Rule(path, methods=[method], endpoint=f"{method} {path}"), handler, old)
        for path, method, handler, old in table
    ]


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(data),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json;charset=UTF-8",
    )


def error_response(error: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    return json_response(error.envelope(), error.status, headers)


def page_params(request: Request, default_limit: int, max_limit: int) -> tuple[int, int]:
    """``start`` and ``limit`` as Confluence reads them: bad numbers are a 400, big limits cap."""
    try:
        start = int(request.args.get("start", 0))
        limit = int(request.args.get("limit", default_limit))
    except ValueError as exc:
        raise ApiError(400, "start and limit must be integers") from exc
    if start < 0 or limit < 0:
        raise ApiError(400, "start and limit must not be negative")
    return start, min(limit, max_limit)


def next_query(request: Request, start: int, limit: int) -> str:
    """The query of a ``next`` link: the caller's own parameters with ``limit`` and ``start``."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in ("start", "limit")]
    return urlencode([*params, ("limit", str(limit)), ("start", str(start + limit))])


def read_json(request: Request) -> Any:
    try:
        return json.loads(request.get_data(as_text=True) or "null")
    except ValueError as exc:
        raise ApiError(400, f"Unable to parse the request body as JSON: {exc}") from exc
