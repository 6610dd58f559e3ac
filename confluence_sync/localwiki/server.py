"""``LocalWiki``: the wiki as an object tests and the embedded default start and stop.

It binds a real socket (ephemeral port by default) and serves from a background thread with
werkzeug's threaded server, so clients exercise their real HTTP stack against it.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from confluence_sync.localwiki.access import HostPolicy
from confluence_sync.localwiki.api import rest_v1_routes
from confluence_sync.localwiki.api.v2_routes import V2Api
from confluence_sync.localwiki.app import WikiApp, WikiState
from confluence_sync.localwiki.faults import FaultInjector, Faults, LoggedRequest, RequestLog
from confluence_sync.localwiki.gateway import GatewayFront
from confluence_sync.localwiki.html.view_routes import HtmlView
from confluence_sync.localwiki.oauth_tokens import GatewayCredential, TokenIssuer
from confluence_sync.localwiki.store.attachment_rules import Attachments
from confluence_sync.localwiki.store.database import Store
from confluence_sync.localwiki.store.label_rules import Labels
from confluence_sync.localwiki.store.page_rules import PageDraft, Pages
from confluence_sync.localwiki.store.property_rules import Properties
from confluence_sync.localwiki.wiki_urls import Site

log = logging.getLogger(__name__)

DB_NAME = "wiki.sqlite3"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _QuietHandler(WSGIRequestHandler):
    """Send werkzeug's access log to our logger at debug level instead of stderr."""

    def log(self, type: str, message: str, *args: object) -> None:
        log.debug("%s " + message, self.address_string(), *args)


class LocalWiki:
    """A Confluence-compatible wiki on loopback, backed by SQLite under ``data_dir``.

    Requests must name it in ``Host`` by its bound address, a loopback name or one of
    ``allowed_hosts`` (see :mod:`~confluence_sync.localwiki.access`); when bound to a
    non-loopback address the browser view asks for the same credentials as the API.

    ``extra_users`` and ``readers`` map more user names to tokens; readers lack permission to
    write, so their writes get a 403 (Confluence's status for a missing space permission; the
    message wording is ours, the reference did not record Confluence's) rather than a 401.

    In cloud mode the wiki also plays Atlassian's API gateway (``/ex/confluence/{cloud_id}``),
    its OAuth 2.0 token endpoint and ``/_edge/tenant_info`` (``localwiki/gateway.py``):
    ``oauth_clients`` maps client ids to service-account credentials, ``scoped_tokens`` e-mails
    to scoped API tokens; access tokens live ``token_lifetime`` seconds.
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        mode: Literal["cloud", "server"] = "cloud",
        spaces: Sequence[str] = ("DEV",),
        user: str = "admin",
        token: str = "admin",
        extra_users: Mapping[str, str] | None = None,
        readers: Mapping[str, str] | None = None,
        normalise: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        allowed_hosts: Sequence[str] = (),
        middleware: Callable[[WikiApp], WsgiApp] | None = None,
        oauth_clients: Mapping[str, GatewayCredential] | None = None,
        scoped_tokens: Mapping[str, GatewayCredential] | None = None,
        token_lifetime: int = 3600,
        cloud_id: str | None = None,
    ) -> None:
        """``middleware`` wraps the wiki's application before it is served (``preview``
        adds live reload this way without the wiki knowing about it)."""
        if mode not in ("cloud", "server"):
            raise ValueError(f"mode must be 'cloud' or 'server', not {mode!r}")
        self._owns_dir = data_dir is None
        self.data_dir = (
            Path(tempfile.mkdtemp(prefix="localwiki-")) if data_dir is None else data_dir
        )
        self.mode = mode
        self.user = user
        self.token = token
        self._host = host
        self._port = port
        self._hosts = HostPolicy.for_address(host, allowed_hosts)
        self._spaces = tuple(spaces)
        self._normalise = normalise
        self._users = {user: token, **dict(extra_users or {}), **dict(readers or {})}
        self._readers = frozenset(readers or {})
        self.cloud_id = cloud_id or str(uuid.uuid4())
        self._scoped = dict(scoped_tokens or {})
        self.tokens = TokenIssuer(oauth_clients or {}, lifetime=token_lifetime)
        accounts = [c.user for c in [*(oauth_clients or {}).values(), *self._scoped.values()]]
        for account in accounts:  # service accounts are wiki users with a token nobody knows
            self._users.setdefault(account, secrets.token_urlsafe(24))
        self.gateway: GatewayFront | None = None
        self._injector = FaultInjector()
        self._log = RequestLog()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._state: WikiState | None = None
        self._middleware = middleware
        self.base_url = ""

    # lifecycle ----------------------------------------------------------------------------
    def start(self) -> str:
        """Open the store, create missing spaces, bind and serve; returns the base URL."""
        if self._server is not None:
            return self.base_url
        state = self._open_state()
        v2 = V2Api(state) if state.cloud else None  # REST v2 exists on Cloud only
        app = WikiApp(state, rest_v1_routes(), HtmlView(state), v2)
        if state.cloud:  # the API gateway exists for Cloud sites only
            self.gateway = GatewayFront(
                app,
                cloud_id=self.cloud_id,
                issuer=self.tokens,
                scoped=self._scoped,
                internal=self._users,
            )
        self._server = self._bind(app)
        port = self._server.server_port
        host = f"[{self._host}]" if ":" in self._host else self._host
        state.site = Site(f"http://{host}:{port}", "/wiki" if state.cloud else "", state.cloud)
        self._state = state
        self.base_url = state.site.base
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"localwiki-{port}",
            daemon=True,
        )
        self._thread.start()
        log.info("local wiki serving %s from %s", self.base_url, self.data_dir)
        return self.base_url

    def _open_state(self) -> WikiState:
        """Open the store and create the missing spaces (each with its home page)."""
        cloud = self.mode == "cloud"
        store = Store(self.data_dir / DB_NAME)
        pages = Pages(store, cloud=cloud, normalise=self._normalise)
        state = WikiState(
            store=store,
            pages=pages,
            labels=Labels(store, pages),
            properties=Properties(store, pages),
            attachments=Attachments(store, pages),
            users=self._users,
            cloud=cloud,
            injector=self._injector,
            log=self._log,
            hosts=self._hosts,
            readers=self._readers,
        )
        for key in self._spaces:
            pages.ensure_space(key, self.user)
        return state

    def _bind(self, app: WikiApp) -> BaseWSGIServer:
        """Bind the socket; werkzeug exits the process when it cannot, we raise instead."""
        # the preview's layer wraps the wiki itself; otherwise Cloud mode's gateway fronts it
        served = self._middleware(app) if self._middleware is not None else self.gateway or app
        try:
            return make_server(
                self._host, self._port, served, threaded=True, request_handler=_QuietHandler
            )
        except SystemExit as exc:
            app.state.store.close()
            raise OSError(f"cannot listen on {self._host}:{self._port}") from exc

    def serve_forever(self) -> None:
        """Block until interrupted (the CLI's ``wiki serve``)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if self._state is not None:
            self._state.store.close()
            self._state = None
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalWiki:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # test hooks ---------------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        return self._log.entries()

    def clear_log(self) -> None:
        self._log.clear()

    @property
    def faults(self) -> Faults:
        return self._injector.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._injector.faults = value

    def edit_page(
        self, page_id: str, storage: str, *, by: str = "jane.doe", message: str = ""
    ) -> int:
        """Change a page as a person in the browser would: a new version by ``by``."""
        state = self._require_state()
        with state.store.transaction():
            row = state.pages.get(page_id)
            draft = PageDraft(
                title=row.title, body=storage, version=row.version + 1, message=message
            )
            return state.pages.update(page_id, draft, by).version

    def _require_state(self) -> WikiState:
        if self._state is None:
            raise RuntimeError("the local wiki is not running; call start() first")
        return self._state
