"""Confluence Cloud REST v2 (``/wiki/api/v2``): the page subset a publisher needs.

Pages (list, create, get, update, delete, direct children, ancestors, labels, attachments),
content properties by property id, spaces by key and users in bulk. The handlers reuse the
v1 rules (``Pages``, ``Extras``) and the same store, so only the request parsing, the shapes,
cursor pagination and the error envelope differ. v2 exists on Cloud only: in server mode these
paths are not served.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.app import Handler, WikiApp, WikiState, json_response, read_json
from confluence_sync.localwiki.faults import LoggedRequest
from confluence_sync.localwiki.httperror import ApiError
from confluence_sync.localwiki.routes_v2_pages import V2Ctx, page_routes
from confluence_sync.localwiki.shapes import Shaper
from confluence_sync.localwiki.shapes_v2 import V2, ShaperV2, V2Error, Window

_WRITES = {"POST", "PUT", "DELETE"}
# v1 on Cloud names the Java exception in some messages; v2 says only what went wrong.
_JAVA_PREFIX = "com.atlassian.confluence.api.service.exceptions.BadRequestException: "


def _page_id(ctx: V2Ctx, page_id: str) -> str:
    ctx.page(page_id)
    return page_id


# properties ---------------------------------------------------------------------------------
def list_properties(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    window = Window.of(request)
    rows = ctx.state.store.properties(_page_id(ctx, page_id))
    key = request.args.get("key")
    shaped = [ctx.shape.property(r) for r in rows if key in (None, r.key)]
    return ctx.listing(request, window, shaped, f"/pages/{page_id}/properties")


def create_property(ctx: V2Ctx, request: Request, page_id: str) -> Response:
    data = read_json(request)
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        raise V2Error(400, "A content property needs a key and a value.")
    _page_id(ctx, page_id)
    row = ctx.state.extras.create_property(page_id, data["key"], data.get("value"), ctx.user)
    return json_response(ctx.shape.property(row))


def _property_key(ctx: V2Ctx, page_id: str, property_id: str) -> str:
    for row in ctx.state.store.properties(_page_id(ctx, page_id)):
        if row.id == property_id:
            return row.key
    raise V2Error(404, "Not Found", f"No property with id {property_id} on page {page_id}")


def get_property(ctx: V2Ctx, request: Request, page_id: str, property_id: str) -> Response:
    key = _property_key(ctx, page_id, property_id)
    row = ctx.state.store.property(page_id, key)
    assert row is not None
    return json_response(ctx.shape.property(row))


def update_property(ctx: V2Ctx, request: Request, page_id: str, property_id: str) -> Response:
    data = read_json(request)
    if not isinstance(data, dict):
        raise V2Error(400, "A content property update needs a key, a value and a version.")
    key = _property_key(ctx, page_id, property_id)
    if data.get("key", key) != key:
        raise V2Error(400, "The key of a content property cannot be changed.")
    version = data.get("version") if isinstance(data.get("version"), dict) else {}
    number = version.get("number") if version else None
    if not isinstance(number, int):
        raise V2Error(400, "Must supply an incremented version when updating a property.")
    row = ctx.state.extras.update_property(page_id, key, data.get("value"), number, ctx.user)
    return json_response(ctx.shape.property(row))


def delete_property(ctx: V2Ctx, request: Request, page_id: str, property_id: str) -> Response:
    key = _property_key(ctx, page_id, property_id)
    ctx.state.extras.delete_property(page_id, key)
    return Response(status=204)


# spaces and users ---------------------------------------------------------------------------
def list_spaces(ctx: V2Ctx, request: Request) -> Response:
    window = Window.of(request)
    keys = _multi(request, "keys")
    ids = _multi(request, "ids")
    rows = [
        r
        for r in ctx.state.store.spaces()
        if (not keys or r.key in keys) and (not ids or str(r.id) in ids)
    ]
    return ctx.listing(request, window, [ctx.shape.space(r) for r in rows], "/spaces")


def _multi(request: Request, name: str) -> set[str]:
    """An array query parameter: repeated, comma-separated, or both."""
    return {v for raw in request.args.getlist(name) for v in raw.split(",") if v}


def users_bulk(ctx: V2Ctx, request: Request) -> Response:
    data = read_json(request)
    wanted = data.get("accountIds") if isinstance(data, dict) else None
    if not isinstance(wanted, list) or not wanted:
        raise V2Error(400, "accountIds must be a non-empty list")
    known = {ctx.shape.account_id(name): name for name in _people(ctx.state)}
    found = [ctx.shape.user(known[str(a)]) for a in wanted if str(a) in known]
    return json_response({"results": found, "_links": {"base": ctx.shape.site.base}})


def _people(state: WikiState) -> set[str]:
    """Everyone the wiki has seen: its users, page creators and current-version authors."""
    names = set(state.users)
    for row in state.store.all_content():
        names.add(row.created_by)
        saved = state.store.version(row.id, row.version)
        if saved is not None:
            names.add(saved.by)
    return names


def routes() -> list[tuple[Rule, Handler]]:
    table: list[tuple[str, str, Handler]] = [
        *page_routes(),
        ("/pages/<page_id>/properties", "GET", list_properties),
        ("/pages/<page_id>/properties", "POST", create_property),
        ("/pages/<page_id>/properties/<property_id>", "GET", get_property),
        ("/pages/<page_id>/properties/<property_id>", "PUT", update_property),
        ("/pages/<page_id>/properties/<property_id>", "DELETE", delete_property),
        ("/spaces", "GET", list_spaces),
        ("/users-bulk", "POST", users_bulk),
    ]
    return [
        (Rule(path, methods=[method], endpoint=f"{method} {path}"), handler)
        for path, method, handler in table
    ]


class WikiAppV2(WikiApp):
    """The v1 application plus, in cloud mode, ``/wiki/api/v2``: same state, auth, faults and
    request log, with v2's error envelope on every refusal under that prefix."""

    def __init__(self, state: WikiState, *args: Any, **kwargs: Any) -> None:
        super().__init__(state, *args, **kwargs)
        self.v2_prefix = "/wiki" + V2
        table = routes()
        self.v2_handlers = {rule.endpoint: handler for rule, handler in table}
        self.v2_urls = Map([rule for rule, _ in table], strict_slashes=False)

    def respond(self, request: Request) -> Response:
        if not (self.state.cloud and request.path.startswith(self.v2_prefix + "/")):
            return super().respond(request)
        try:
            response = self._v2(request)
        except V2Error as error:
            response = _error(error)
        except ApiError as error:  # the shared v1 rules refused: same status, v2 envelope
            response = _error(V2Error(error.status, error.message.removeprefix(_JAVA_PREFIX)))
        except Exception:  # a bug in the wiki must look like Confluence's 500, not a crash
            response = _error(V2Error(500, "Internal Server Error"))
        self.state.log.add(LoggedRequest(request.method, request.path, response.status_code))
        return response

    def _v2(self, request: Request) -> Response:
        injector = self.state.injector
        injected = injector.before() or injector.refuse(request.method, request.path)
        if injected is not None:
            return _error(V2Error(injected.status, injected.message), injected.headers)
        user = self.authenticate(request)
        path = request.path[len(self.v2_prefix) :]
        adapter = self.v2_urls.bind("localhost", path_info=path)
        try:
            endpoint, args = adapter.match(method=request.method)
        except MethodNotAllowed:
            return _error(V2Error(405, "Method Not Allowed"))
        except (NotFound, HTTPException):
            return _error(V2Error(404, "Not Found", f"No endpoint {request.path}"))
        if request.method in _WRITES and user in self.state.readers:
            return _error(V2Error(403, f"User {user} does not have permission to edit"))
        assert self.state.site is not None, "the wiki answers only once it is bound"
        shape = ShaperV2(Shaper(self.state.store, self.state.site))
        response = self.v2_handlers[str(endpoint)](V2Ctx(self.state, user, shape), request, **args)
        committed = request.method in _WRITES and response.status_code < 400
        if committed and self.state.injector.after_write():
            return _error(V2Error(500, "Internal Server Error"))
        return response


def _error(error: V2Error, headers: Iterable[tuple[str, str]] | dict[str, str] = ()) -> Response:
    return json_response(error.envelope(), error.status, dict(headers))
