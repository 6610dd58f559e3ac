"""Confluence Cloud REST v2 (``/wiki/api/v2``): the page subset a publisher needs.

Pages (list, create, get, update, delete, direct children, ancestors, labels, attachments) live
in ``v2_page_routes``; here are content properties by property id, spaces by key, users in bulk,
and ``V2Api``, which answers a request under the v2 prefix. The handlers reuse the v1 rules
(``Pages``, ``Properties``) and the same store, so only the request parsing, the shapes, cursor
pagination and the error envelope differ. v2 exists on Cloud only: the server registers it in
cloud mode (``LocalWiki.start``), and ``WikiApp`` applies the Host check and the request log to
it as to v1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.access import authenticate
from confluence_sync.localwiki.api.handler_context import Handler, json_response, read_json
from confluence_sync.localwiki.api.rest_json import Shaper
from confluence_sync.localwiki.api.v2_comment_routes import comment_routes
from confluence_sync.localwiki.api.v2_json import V2, ShaperV2, V2Error, Window
from confluence_sync.localwiki.api.v2_page_routes import V2Ctx, page_routes
from confluence_sync.localwiki.api_error import ApiError

if TYPE_CHECKING:
    from confluence_sync.localwiki.wiki_state import WikiState

_WRITES = {"POST", "PUT", "DELETE"}
# v1 on Cloud names the Java exception in some messages; v2 says only what went wrong.
_JAVA_PREFIX = "com.atlassian.confluence.api.service.exceptions.BadRequestException: "
PREFIX = "/wiki" + V2


def _page_id(ctx: V2Ctx, page_id: str) -> str:
    """The owner of the properties: a page, or an attachment (v2 ids ``att<number>``), whose
    properties v2 serves under ``/attachments/{attachment-id}/properties`` (vendored v2
    schema) with the same shapes as a page's."""
    if page_id.startswith("att"):
        row = ctx.state.store.content(page_id)
        if row is None or row.type != "attachment" or row.status == "trashed":
            raise V2Error(404, "Not Found", f"No attachment with id {page_id}")
        return page_id
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
    row = ctx.state.properties.create(page_id, data["key"], data.get("value"), ctx.user)
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
    row = ctx.state.properties.update(page_id, key, data.get("value"), number, ctx.user)
    return json_response(ctx.shape.property(row))


def delete_property(ctx: V2Ctx, request: Request, page_id: str, property_id: str) -> Response:
    key = _property_key(ctx, page_id, property_id)
    ctx.state.properties.delete(page_id, key)
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


def get_space(ctx: V2Ctx, request: Request, space_id: str) -> Response:
    """One space by its numeric id, with the site base in ``_links`` (vendored v2 schema:
    ``GET /spaces/{id}`` answers ``SpaceSingle`` plus ``_links.base``)."""
    for row in ctx.state.store.spaces():
        if str(row.id) == space_id:
            shaped = ctx.shape.space(row)
            shaped["_links"] = {**shaped["_links"], "base": ctx.shape.site.base}
            return json_response(shaped)
    raise V2Error(404, "Not Found", f"No space with id {space_id}")


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


_PROPERTY_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("", "GET", list_properties),
    ("", "POST", create_property),
    ("/<property_id>", "GET", get_property),
    ("/<property_id>", "PUT", update_property),
    ("/<property_id>", "DELETE", delete_property),
)


def routes() -> list[tuple[Rule, Handler]]:
    """Every v2 route the wiki serves, as werkzeug rules named ``METHOD path``."""
    table: list[tuple[str, str, Handler]] = [
        *page_routes(),
        *comment_routes(),
        ("/pages/<page_id>/properties", "GET", list_properties),
        ("/pages/<page_id>/properties", "POST", create_property),
        ("/pages/<page_id>/properties/<property_id>", "GET", get_property),
        ("/pages/<page_id>/properties/<property_id>", "PUT", update_property),
        ("/pages/<page_id>/properties/<property_id>", "DELETE", delete_property),
        *(
            (f"/attachments/<page_id>/properties{tail}", method, handler)
            for tail, method, handler in _PROPERTY_ROUTES
        ),
        ("/spaces", "GET", list_spaces),
        ("/spaces/<space_id>", "GET", get_space),
        ("/users-bulk", "POST", users_bulk),
    ]
    return [
        (Rule(path, methods=[method], endpoint=f"{method} {path}"), handler)
        for path, method, handler in table
    ]


class V2Api:
    """Answers requests under ``/wiki/api/v2`` with the shared state: the same credentials,
    injected faults (``refuse`` breaks ``/properties`` writes as it breaks v1's ``/property``)
    and read-only users as v1, with v2's error envelope on every refusal."""

    def __init__(self, state: WikiState) -> None:
        self.state = state
        table = routes()
        self.handlers = {rule.endpoint: handler for rule, handler in table}
        self.urls = Map([rule for rule, _ in table], strict_slashes=False)

    @staticmethod
    def owns(path: str) -> bool:
        return path.startswith(PREFIX + "/") or path == PREFIX

    def respond(self, request: Request) -> Response:
        try:
            return self._answer(request)
        except V2Error as error:
            return _error(error)
        except ApiError as error:  # the shared v1 rules refused: same status, v2 envelope
            challenge = (
                {"WWW-Authenticate": 'Basic realm="Protected"'} if error.status == 401 else {}
            )
            detail = error.message.removeprefix(_JAVA_PREFIX)
            return _error(V2Error(error.status, detail), challenge)
        except Exception:  # a bug in the wiki must look like Confluence's 500, not a crash
            return _error(V2Error(500, "Internal Server Error"))

    def _answer(self, request: Request) -> Response:
        injector = self.state.injector
        injected = injector.before() or injector.refuse(request.method, request.path)
        if injected is not None:
            return _error(V2Error(injected.status, injected.message), injected.headers)
        header = request.headers.get("Authorization", "")
        user = authenticate(self.state.users, header, cloud=self.state.cloud)
        adapter = self.urls.bind("localhost", path_info=request.path[len(PREFIX) :] or "/")
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
        response = self.handlers[str(endpoint)](V2Ctx(self.state, user, shape), request, **args)
        committed = request.method in _WRITES and response.status_code < 400
        if committed and injector.after_write(request.method, request.path):
            return _error(V2Error(500, "Internal Server Error"))
        return response


def _error(error: V2Error, headers: Mapping[str, str] | None = None) -> Response:
    return json_response(error.envelope(), error.status, headers)
