"""The API gateway in front of the wiki: ``/ex/confluence/{cloudId}/wiki/...``, the OAuth 2.0
token endpoint (``/oauth/token``) and the site's ``/_edge/tenant_info``.

Service-account credentials (OAuth 2.0 access tokens, scoped API tokens) reach a Confluence Cloud
site only through ``https://api.atlassian.com/ex/confluence/{cloudId}/...``; the site itself
refuses them (Atlassian's "Manage API tokens for your Atlassian account", the URL for API tokens
with scopes, and "Create OAuth 2.0 credential for service accounts"). Each operation needs the
scopes its spec entry lists ("Scopes for OAuth 2.0 (3LO) and Forge apps",
developer.atlassian.com/cloud/confluence/scopes-for-oauth-2-3LO-and-forge-apps/, and the
``security`` of each operation in the vendored specs). A call needing a scope the token lacks
is ``401`` with ``{"code": 401, "message": "Unauthorized; scope does not match"}`` and the
header ``X-Failure-Category: FAILURE_CLIENT_SCOPE_CHECK``: Atlassian's docs do not show the
body; it is quoted from real answers in kovetskiy/mark#917 and sooperset/mcp-atlassian#1323.
The cloud id of a site is what ``https://<site>.atlassian.net/_edge/tenant_info`` answers
(``{"cloudId": ...}``; as atlassian-python-api#1546 reports, not in Atlassian's reference).

Here one server plays the site, the gateway and the token endpoint, so tests set
``CONFLUENCE_GATEWAY_URL`` and ``CONFLUENCE_TOKEN_URL`` to it. A request that passes is handed to
the wiki as its service account's own request under ``/wiki`` (so the wiki's rules, faults and
request log apply); the gateway keeps its own log of what it saw and refused.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.access import misdirected
from confluence_sync.localwiki.api.handler_context import error_response
from confluence_sync.localwiki.app import WikiApp
from confluence_sync.localwiki.faults import LoggedRequest, RequestLog
from confluence_sync.localwiki.gateway_scopes import admits
from confluence_sync.localwiki.oauth_tokens import GatewayCredential, Grant, TokenIssuer

TOKEN_PATH = "/oauth/token"
TENANT_PATH = "/_edge/tenant_info"
_GATEWAY = re.compile(r"/ex/confluence/(?P<cloud>[^/]+)(?P<rest>/.*)?")


class GatewayFront:
    """WSGI: the gateway's paths here, every other request to the wiki as before."""

    def __init__(
        self,
        inner: WikiApp,
        *,
        cloud_id: str,
        issuer: TokenIssuer,
        scoped: Mapping[str, GatewayCredential],
        internal: Mapping[str, str],
    ) -> None:
        """``scoped``: e-mail -> scoped API token; ``internal``: each service account's own
        wiki token, with which passed requests are handed on."""
        self.inner = inner
        self.cloud_id = cloud_id
        self.issuer = issuer
        self._scoped = dict(scoped)
        self._internal = dict(internal)
        self.log = RequestLog()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        found = _GATEWAY.fullmatch(path)
        if found is None and path not in (TOKEN_PATH, TENANT_PATH):
            return self.inner(environ, start_response)  # the site, as before
        host = request.headers.get("Host", "")
        if not self.inner.state.hosts.allows(host):  # the same rebinding defence as the site
            response = error_response(misdirected(host))
        elif found is not None:
            response = self._gateway(request, environ, found["cloud"], found["rest"] or "/")
        elif path == TOKEN_PATH and request.method == "POST":
            response = self.issuer.respond(request)
        elif path == TENANT_PATH and request.method == "GET":
            response = _json({"cloudId": self.cloud_id}, 200)
        else:
            response = _json({"code": 405, "message": "Method Not Allowed"}, 405)
        self.log.add(LoggedRequest(request.method, path, response.status_code))
        return response(environ, start_response)

    def _gateway(
        self, request: Request, environ: dict[str, Any], cloud: str, rest: str
    ) -> Response:
        if cloud != self.cloud_id or not rest.startswith("/wiki/"):
            return _json({"code": 404, "message": "Not Found"}, 404)  # wording ours
        grant = self._grant(request.headers.get("Authorization", ""))
        if grant is None:
            return _json({"code": 401, "message": "Unauthorized"}, 401)
        if not admits(grant.scopes, request.method, rest[len("/wiki") :]):
            return _json(
                {"code": 401, "message": "Unauthorized; scope does not match"},
                401,
                {"X-Failure-Category": "FAILURE_CLIENT_SCOPE_CHECK"},
            )
        pair = f"{grant.user}:{self._internal[grant.user]}".encode()
        inner_environ = dict(environ)
        inner_environ.update(
            PATH_INFO=rest,
            SCRIPT_NAME="",
            HTTP_AUTHORIZATION="Basic " + base64.b64encode(pair).decode(),
        )
        return self.inner.respond(Request(inner_environ))

    def _grant(self, header: str) -> Grant | None:
        """An OAuth 2.0 access token (Bearer) or a scoped API token (Basic e-mail:token)."""
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return self.issuer.grant(value.strip())
        if scheme.lower() != "basic":
            return None
        try:
            user, _, token = base64.b64decode(value).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        credential = self._scoped.get(user)
        if credential is None or not hmac.compare_digest(
            credential.secret.encode(), token.encode()
        ):
            return None
        return Grant(credential.user, credential.scopes)


def _json(data: Any, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json",
    )
