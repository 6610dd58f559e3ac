"""The WSGI application: auth, faults, request log, routing and the error envelope.

REST handlers live in ``api/`` and only see a ``Ctx`` (``api/handler_context.py``); in cloud
mode REST v2 is answered by ``api/v2_routes.V2Api``; the browser view lives in ``html/``.
Everything cross-cutting (the Host check, credentials, faults, the request log) happens here
once, in the order Confluence's gateway would apply it (v2 applies credentials and faults itself,
with its own error envelope, after the same Host check and into the same request log).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.access import authenticate, misdirected
from confluence_sync.localwiki.api.handler_context import Ctx, Route, error_response
from confluence_sync.localwiki.api.rest_json import Shaper
from confluence_sync.localwiki.api_error import ApiError
from confluence_sync.localwiki.faults import Injected, LoggedRequest
from confluence_sync.localwiki.wiki_state import WikiState as WikiState  # re-exported

if TYPE_CHECKING:
    from confluence_sync.localwiki.api.v2_routes import V2Api

log = logging.getLogger(__name__)

_WRITES = {"POST", "PUT", "DELETE"}
# API-looking requests outside the mode's prefix (a client that lost /wiki) and downloads are
# logged too; pages viewed in a browser are not.
_LOGGED_OUTSIDE_API = ("/rest/", "/wiki/rest/", "/wiki/api/", "/download/", "/wiki/download/")
_DEPRECATION = {
    "Deprecation": "Wed, 1 Mar 2023 00:00:00 GMT",
    "Warning": '299 - "Deprecated API, will be removed on Mon, 31 Mar 2025 00:00:00 GMT"',
    "Link": "<https://developer.atlassian.com/cloud/confluence/changelog/#CHANGE-864>; "
    'rel="deprecation"',
}


class WikiApp:
    """Dispatches REST calls under the API prefix, everything else to the HTML view."""

    def __init__(
        self,
        state: WikiState,
        routes: Iterable[Route],
        view: Callable[[Request], Response | None],
        v2: V2Api | None = None,
    ) -> None:
        self.state = state
        self.v2 = v2  # REST v2, served on Cloud only
        self.prefix = ("/wiki" if state.cloud else "") + "/rest/api"
        rules = list(routes)
        self.handlers = {rule.endpoint: handler for rule, handler, _ in rules}
        self.deprecated = {rule.endpoint for rule, _, old in rules if old}
        self.urls = Map([rule for rule, _, _ in rules], strict_slashes=False)
        self.view = view

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        host = request.headers.get("Host", "")
        if not self.state.hosts.allows(host):
            response = error_response(misdirected(host))
        elif self.v2 is not None and self.v2.owns(request.path):
            response = self.v2.respond(request)
            self.state.log.add(LoggedRequest(request.method, request.path, response.status_code))
            return response
        elif request.path.startswith(self.prefix + "/") or request.path == self.prefix:
            return self.api(request)
        else:
            response = self.browse(request)
        if request.path.startswith(_LOGGED_OUTSIDE_API):
            self.state.log.add(LoggedRequest(request.method, request.path, response.status_code))
        return response

    def browse(self, request: Request) -> Response:
        """The HTML view: open on loopback, behind the same credentials as the API otherwise."""
        if not self.state.hosts.local_only:
            try:
                authenticate(
                    self.state.users, request.headers.get("Authorization", ""), cloud=False
                )
            except ApiError:
                return Response(
                    "This wiki is reachable from other machines: sign in with the user and token"
                    " that wiki serve printed.\n",
                    status=401,
                    headers={"WWW-Authenticate": 'Basic realm="Local wiki", charset="UTF-8"'},
                    content_type="text/plain; charset=utf-8",
                )
        return self.view(request) or error_response(ApiError(404, "null for uri: " + request.url))

    def api(self, request: Request) -> Response:
        try:
            response = self._api(request)
        except ApiError as error:
            challenge = (
                {"WWW-Authenticate": 'Basic realm="Protected"'} if error.status == 401 else {}
            )
            response = error_response(error, challenge)
        except Exception:  # a bug in the wiki must look like Confluence's 500, not a crash
            log.exception("local wiki failed on %s %s", request.method, request.path)
            response = error_response(ApiError(500, "Internal server error"))
        self.state.log.add(LoggedRequest(request.method, request.path, response.status_code))
        return response

    def _api(self, request: Request) -> Response:
        injected = self.state.injector.before() or self.state.injector.refuse(
            request.method, request.path
        )
        if injected is not None:
            return error_response(ApiError(injected.status, injected.message), injected.headers)
        user = authenticate(
            self.state.users, request.headers.get("Authorization", ""), cloud=self.state.cloud
        )
        adapter = self.urls.bind("localhost", path_info=request.path[len(self.prefix) :] or "/")
        try:
            endpoint, args = adapter.match(method=request.method)
        except MethodNotAllowed:
            return error_response(ApiError(405, "Method Not Allowed"))
        except (NotFound, HTTPException):
            return error_response(ApiError(404, "null for uri: " + request.url))
        if request.method in _WRITES and user in self.state.readers:
            return error_response(ApiError(403, f"User {user} does not have permission to edit"))
        upload_failure = self._upload_failure(request, str(endpoint))
        if upload_failure is not None:
            return error_response(ApiError(upload_failure.status, upload_failure.message))
        assert self.state.site is not None, "the wiki answers only once it is bound"
        ctx = Ctx(self.state, user, Shaper(self.state.store, self.state.site))
        response = self.handlers[str(endpoint)](ctx, request, **args)
        if self.state.cloud and endpoint in self.deprecated:
            response.headers.update(_DEPRECATION)
        committed = request.method in _WRITES and response.status_code < 400
        if committed and self.state.injector.after_write(request.method, request.path):
            return error_response(ApiError(500, "Internal server error"))
        return response

    def _upload_failure(self, request: Request, endpoint: str) -> Injected | None:
        """An injected failure for attachment uploads (POST to an attachment endpoint)."""
        if request.method != "POST" or "/child/attachment" not in endpoint:
            return None
        return self.state.injector.upload_failure()
